namespace Flows.Redshift.Iam;

/// <summary>A temporary database user and password from IAM.</summary>
internal sealed record DbCredentials(string User, string Password, DateTimeOffset Expiration);

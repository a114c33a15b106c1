namespace Flows.Secrets;

/// <summary>
/// Reads the environment variables Civis Platform sets for credential parameters, so migrated scripts work
/// unchanged. A credential <c>redshift</c> is read from <c>REDSHIFT_USERNAME</c> / <c>REDSHIFT_PASSWORD</c>, else
/// from <c>REDSHIFT_CREDENTIAL_USERNAME</c> / <c>REDSHIFT_CREDENTIAL_PASSWORD</c> (database parameters). A plain
/// secret <c>van-api-key</c> is the password of the credential of that name (<c>VAN_API_KEY_PASSWORD</c>, else
/// <c>VAN_API_KEY_CREDENTIAL_PASSWORD</c>), which is where Civis keeps API keys. Names map as for
/// <see cref="EnvironmentSecretProvider"/>.
/// </summary>
public sealed class CivisCredentialSecretProvider : ISecretProvider
{
    private static readonly string[] Infixes = ["_", "_CREDENTIAL_"];

    /// <inheritdoc />
    public string Describe(string name) => Alternatives(name, "PASSWORD");

    /// <inheritdoc />
    public ValueTask<string?> GetAsync(string name, CancellationToken cancellationToken)
    {
        var stem = SecretNames.ToEnvironmentVariable(name);
        foreach (var infix in Infixes)
        {
            if (EnvironmentSecretProvider.EnvironmentVariable(stem + infix + "PASSWORD") is { } password)
            {
                return new(password);
            }
        }

        return new((string?)null);
    }

    /// <inheritdoc />
    public ValueTask<SecretCredential?> GetCredentialAsync(string name, CancellationToken cancellationToken)
    {
        var stem = SecretNames.ToEnvironmentVariable(name);
        foreach (var infix in Infixes)
        {
            var username = EnvironmentSecretProvider.EnvironmentVariable(stem + infix + "USERNAME");
            var password = EnvironmentSecretProvider.EnvironmentVariable(stem + infix + "PASSWORD");
            if (username is not null && password is not null)
            {
                return new(new SecretCredential(username, password));
            }
        }

        return new((SecretCredential?)null);
    }

    /// <inheritdoc />
    public string DescribeCredential(string name) => Alternatives(name, "USERNAME") + " with " + Alternatives(name, "PASSWORD");

    private static string Alternatives(string name, string field)
    {
        var stem = SecretNames.ToEnvironmentVariable(name);
        return $"Civis variable {stem}_{field} or {stem}_CREDENTIAL_{field}";
    }
}

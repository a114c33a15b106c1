using Npgsql;

namespace Flows.Redshift;

/// <summary>
/// How <see cref="RedshiftDatabase"/> connects and behaves. Give exactly one way to authenticate: a Civis
/// credential name (<see cref="CredentialName"/>), a plain <see cref="ConnectionString"/>, or IAM
/// (<see cref="Iam"/>, with <see cref="Host"/> and <see cref="Database"/>).
/// </summary>
public sealed class RedshiftOptions
{
    /// <summary>The default Redshift port.</summary>
    public const int DefaultPort = 5439;

    /// <summary>
    /// The name of a Civis database credential: <c>&lt;NAME&gt;_USERNAME</c> (or <c>&lt;NAME&gt;_CREDENTIAL_USERNAME</c>)
    /// and <c>&lt;NAME&gt;_PASSWORD</c> (or <c>&lt;NAME&gt;_CREDENTIAL_PASSWORD</c>) are required;
    /// <c>&lt;NAME&gt;_HOST</c>, <c>&lt;NAME&gt;_PORT</c> and <c>&lt;NAME&gt;_DATABASE</c> fill <see cref="Host"/>,
    /// <see cref="Port"/> and <see cref="Database"/> when those are not set. The password is looked up through
    /// <see cref="Secrets"/> and masked; the rest through <see cref="Settings"/>, and not masked.
    /// </summary>
    public string? CredentialName { get; set; }

    /// <summary>
    /// A complete Npgsql connection string. Settings it leaves out get this package's defaults (port 5439,
    /// <c>SSL Mode=VerifyFull</c>, TCP keepalives, no command timeout).
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>IAM authentication: a password from <c>GetClusterCredentials</c> or Serverless <c>GetCredentials</c>.</summary>
    public RedshiftIamOptions? Iam { get; set; }

    /// <summary>The cluster or workgroup endpoint host.</summary>
    public string? Host { get; set; }

    /// <summary>The port; <see cref="DefaultPort"/> when not set.</summary>
    public int? Port { get; set; }

    /// <summary>The database to connect to.</summary>
    public string? Database { get; set; }

    /// <summary>TLS: <see cref="SslMode.VerifyFull"/> by default, as Redshift serves certificates for its endpoints.</summary>
    public SslMode? SslMode { get; set; }

    /// <summary>
    /// Looks up a credential's password by name (<c>REDSHIFT_PASSWORD</c>) and returns null when it is not set.
    /// Defaults to <see cref="RedshiftSecrets.Default"/>: the engine's secret providers (<see cref="Flow.Secrets"/>),
    /// which read Civis-style environment variables among others and mask what they find.
    /// </summary>
    public Func<string, CancellationToken, ValueTask<string?>> Secrets { get; set; } = RedshiftSecrets.Default;

    /// <summary>
    /// Looks up a credential's user name, host, port and database by name (<c>REDSHIFT_HOST</c>) and returns null
    /// when it is not set. These are configuration, not secrets, and are never masked (masking the port would turn
    /// every 5439 in logs and results into <c>***</c>). Defaults to <see cref="RedshiftSettings.Default"/>: the
    /// engine's configuration, then environment variables.
    /// </summary>
    public Func<string, CancellationToken, ValueTask<string?>> Settings { get; set; } = RedshiftSettings.Default;

    /// <summary>
    /// The session setting that carries the run tag (<c>flows:&lt;run id&gt;:&lt;name&gt;</c>). Null (the default):
    /// <c>query_group</c> on Redshift, so queries can be found in <c>stl_query</c>, and <c>application_name</c>
    /// on PostgreSQL, which has no <c>query_group</c>.
    /// </summary>
    public string? RunTagSetting { get; set; }

    /// <summary>Per-session <c>statement_timeout</c>, set before each use and reset after; null leaves the server's.</summary>
    public TimeSpan? StatementTimeout { get; set; }

    /// <summary>
    /// How many times work that failed with a transient error (a serialization conflict such as error 1023, a deadlock, a lost connection) is run again,
    /// when running it again cannot apply it twice (see <see cref="RedshiftOutcomeUnknownException"/>). Default 2.
    /// </summary>
    public int TransactionRetries { get; set; } = 2;

    /// <summary>The delay before the first transaction retry; it doubles for each further one. Default 1 s.</summary>
    public TimeSpan TransactionRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Where loads from rows stage their files; without it <see cref="RedshiftDatabase.LoadAsync{T}"/> inserts rows in batches.</summary>
    public S3StagingOptions? Staging { get; set; }

    /// <summary>The clock for credential expiry and retry delays.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}

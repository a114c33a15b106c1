namespace Flows.Redshift;

/// <summary>
/// Where <see cref="RedshiftOptions.Settings"/> looks up the parts of a Civis credential that are not secret (host,
/// port, database, user name) unless told otherwise. Nothing read here is masked: a port such as 5439 is not a
/// secret, and masking it would turn every 5439 in logs and results into <c>***</c>.
/// </summary>
public static class RedshiftSettings
{
    /// <summary>
    /// The lookup new <see cref="RedshiftOptions"/> start with: <see cref="FromConfiguration"/>. A host can point it
    /// at another source.
    /// </summary>
    public static Func<string, CancellationToken, ValueTask<string?>> Default { get; set; } = FromConfiguration;

    /// <summary>
    /// Reads a setting by its variable name (<c>REDSHIFT_HOST</c>): the current engine's configuration under that key
    /// (a host's configuration includes its environment variables), else the environment variable of that name, as
    /// Civis sets it. Empty counts as not set.
    /// </summary>
    public static ValueTask<string?> FromConfiguration(string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return FlowEngine.Current.Configuration?[name] is { Length: > 0 } configured
            ? new ValueTask<string?>(configured)
            : RedshiftSecrets.FromEnvironment(name, cancellationToken);
    }
}

namespace Flows.Redshift;

/// <summary>
/// Where <see cref="RedshiftOptions.Secrets"/> looks a credential's password up unless told otherwise. The rest of a
/// credential is configuration: see <see cref="RedshiftSettings"/>.
/// </summary>
public static class RedshiftSecrets
{
    /// <summary>
    /// The lookup new <see cref="RedshiftOptions"/> start with: the current engine's secret providers
    /// (<see cref="Flow.Secrets"/>), so Civis-style variables, configuration, secret files and SSM all work and the
    /// password found is masked in logs and run records. A host can point it at another store.
    /// </summary>
    public static Func<string, CancellationToken, ValueTask<string?>> Default { get; set; } = FromFlowSecrets;

    /// <summary>Looks a secret up through the current engine's providers; null when none has it.</summary>
    public static ValueTask<string?> FromFlowSecrets(string name, CancellationToken cancellationToken) =>
        Flow.Secrets.TryGetAsync(name, cancellationToken);

    /// <summary>Reads an environment variable; empty counts as not set.</summary>
    public static ValueTask<string?> FromEnvironment(string name, CancellationToken cancellationToken)
    {
        var value = Environment.GetEnvironmentVariable(name);
        return new ValueTask<string?>(string.IsNullOrEmpty(value) ? null : value);
    }
}

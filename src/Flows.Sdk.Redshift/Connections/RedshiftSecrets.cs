namespace Flows.Redshift;

/// <summary>Where <see cref="RedshiftOptions.Secrets"/> looks secrets up unless told otherwise.</summary>
public static class RedshiftSecrets
{
    /// <summary>
    /// The lookup new <see cref="RedshiftOptions"/> start with. This is the one place credential lookup goes
    /// through, so a host can route every Redshift credential to its own secret store.
    /// </summary>
    public static Func<string, CancellationToken, ValueTask<string?>> Default { get; set; } = FromEnvironment;

    /// <summary>Reads an environment variable; empty counts as not set.</summary>
    public static ValueTask<string?> FromEnvironment(string name, CancellationToken cancellationToken)
    {
        var value = Environment.GetEnvironmentVariable(name);
        return new ValueTask<string?>(string.IsNullOrEmpty(value) ? null : value);
    }
}

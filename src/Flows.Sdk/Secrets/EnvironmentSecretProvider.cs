namespace Flows.Secrets;

/// <summary>
/// Reads secrets from environment variables. A name maps to a variable by upper-casing letters and turning every
/// character that is not a letter or digit into <c>_</c>, after an optional prefix: <c>van-api-key</c> is read
/// from <c>VAN_API_KEY</c> (or <c>FLOWS_VAN_API_KEY</c> with the prefix <c>FLOWS_</c>). An empty variable counts
/// as not set.
/// </summary>
/// <param name="prefix">Put before every mapped name, as given (<c>FLOWS_</c>). Empty by default.</param>
public sealed class EnvironmentSecretProvider(string prefix = "") : ISecretProvider
{
    /// <summary>The variable a secret name is read from.</summary>
    public string VariableFor(string name) => prefix + SecretNames.ToEnvironmentVariable(name);

    /// <inheritdoc />
    public string Describe(string name) => $"environment variable {VariableFor(name)}";

    /// <inheritdoc />
    public ValueTask<string?> GetAsync(string name, CancellationToken cancellationToken) =>
        new(EnvironmentVariable(VariableFor(name)));

    /// <summary>An environment variable's value, or null when it is unset or empty.</summary>
    internal static string? EnvironmentVariable(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value ? value : null;
}

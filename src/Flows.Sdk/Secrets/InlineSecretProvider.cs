namespace Flows.Secrets;

/// <summary>
/// Secrets given in code, as a test harness takes them (<c>options.Secrets["van-api-key"] = "test-key"</c>).
/// Names are matched exactly.
/// </summary>
public sealed class InlineSecretProvider : ISecretProvider
{
    private readonly Dictionary<string, string> _values;

    /// <summary>Serves the given name/value pairs. Throws when a name is empty.</summary>
    public InlineSecretProvider(IEnumerable<KeyValuePair<string, string>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        _values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in values)
        {
            SecretNames.Validate(name, "Inline secrets");
            _values[name] = value;
        }
    }

    /// <inheritdoc />
    public string Describe(string name) => $"inline secret '{name}'";

    /// <inheritdoc />
    public ValueTask<string?> GetAsync(string name, CancellationToken cancellationToken) =>
        new(_values.GetValueOrDefault(name));
}

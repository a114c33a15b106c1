using System.ComponentModel;
using System.Text;
using System.Text.Json;
using Flows.Engine;

namespace Flows.CompilerServices;

/// <summary>Collects the arguments a flow run was called with as JSON for its run record. Secret values are never written. For generated code; not a stable API for hand-written code.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class ParameterWriter
{
    /// <summary>The text recorded in place of a secret value.</summary>
    public const string Mask = "***";

    private readonly StringBuilder _json = new("{");
    private readonly string? _strictFor;

    internal ParameterWriter()
    {
    }

    /// <summary>A writer for cache keys: an argument that cannot be serialised throws, naming the run and the argument.</summary>
    internal ParameterWriter(string strictFor) => _strictFor = strictFor;

    /// <summary>Writes one argument.</summary>
    public void Add<T>(string name, T value)
    {
        string text;
        try
        {
            text = JsonSerializer.Serialize(value, FlowJson.Options);
        }
        catch (Exception ex) when (ex is NotSupportedException or JsonException or InvalidOperationException)
        {
            if (_strictFor is not null)
            {
                throw new InvalidOperationException(
                    $"{_strictFor} caches its results, but its input '{name}' ({typeof(T).Name}) cannot be serialised to JSON for the cache key: {ex.Message} "
                    + "Make the type serialisable with System.Text.Json, or name a CacheKey method on the task that returns a key for its inputs.",
                    ex);
            }

            text = JsonSerializer.Serialize($"<{typeof(T).Name}: not serialisable>");
        }

        Append(name, text);
    }

    /// <summary>Writes a secret argument as <see cref="Mask"/>.</summary>
    public void AddSecret(string name) => Append(name, "\"" + Mask + "\"");

    private void Append(string name, string json)
    {
        if (_json.Length > 1)
        {
            _json.Append(',');
        }

        _json.Append(JsonSerializer.Serialize(name)).Append(':').Append(json);
    }

    /// <inheritdoc />
    public override string ToString() => _json.ToString() + "}";
}

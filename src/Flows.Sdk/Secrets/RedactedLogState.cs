using System.Collections;
using System.Globalization;

namespace Flows.Secrets;

/// <summary>
/// The state of a log line after masking: the message with secret values replaced, and the structured properties
/// with string values (and values whose text shows a secret) replaced the same way. Sinks that render the message
/// from its template and properties (Serilog) see masked properties; sinks that use the formatted message see the
/// masked message. The <c>{OriginalFormat}</c> template is masked too: code that logs a secret as the message itself,
/// or formats it into the message before logging, puts the secret in the template.
/// </summary>
internal sealed class RedactedLogState : IReadOnlyList<KeyValuePair<string, object?>>
{
    private readonly KeyValuePair<string, object?>[] _properties;

    private RedactedLogState(string message, KeyValuePair<string, object?>[] properties)
    {
        Message = message;
        _properties = properties;
    }

    public string Message { get; }

    public int Count => _properties.Length;

    public KeyValuePair<string, object?> this[int index] => _properties[index];

    /// <summary>A masked copy of the state, or null when neither the message nor any property shows a secret.</summary>
    public static RedactedLogState? From<TState>(TState state, SecretMasker masker, string message)
    {
        var maskedMessage = masker.Redact(message);
        var changed = !ReferenceEquals(maskedMessage, message);
        KeyValuePair<string, object?>[] properties = [];
        if (state is IReadOnlyList<KeyValuePair<string, object?>> pairs)
        {
            properties = new KeyValuePair<string, object?>[pairs.Count];
            for (var i = 0; i < properties.Length; i++)
            {
                var (key, value) = pairs[i];
                var masked = Redact(value, masker);
                changed |= !ReferenceEquals(masked, value);
                properties[i] = new(key, masked);
            }
        }

        return changed ? new RedactedLogState(maskedMessage, properties) : null;
    }

    /// <summary>The state as it was, for a line where only the exception needed masking.</summary>
    public static RedactedLogState Unchanged<TState>(TState state, string message) =>
        new(message, state is IReadOnlyList<KeyValuePair<string, object?>> pairs ? [.. pairs] : []);

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)_properties).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => Message;

    /// <summary>
    /// Strings are masked; numbers, dates, ids and the like cannot hold a secret and pass as they are; other values
    /// are replaced by their masked text only when their text shows a secret.
    /// </summary>
    private static object? Redact(object? value, SecretMasker masker)
    {
        switch (value)
        {
            case null or ValueType:
                return value;
            case string text:
                var masked = masker.Redact(text);
                return ReferenceEquals(masked, text) ? text : masked;
            case ICollection items:
                var elements = items.Cast<object?>().ToArray();
                var redacted = elements.Select(e => Redact(e, masker)).ToArray();
                return elements.Where((e, i) => !ReferenceEquals(e, redacted[i])).Any() ? redacted : value;
            default:
                var shown = Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty;
                return masker.Contains(shown) ? masker.Redact(shown) : value;
        }
    }
}

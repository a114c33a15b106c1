using System.Collections;

namespace Flows.Secrets.Masking;

/// <summary>
/// The state of a log line (or a logging scope) after masking: the message with secret values replaced, and each
/// structured property with the secrets anywhere in its value replaced (see <see cref="LogValueRedactor"/>). Sinks that
/// render the message from its template and properties (Serilog) see masked properties; sinks that use the formatted
/// message see the masked message. The <c>{OriginalFormat}</c> template is masked too: code that logs a secret as the
/// message itself, or formats it into the message before logging, puts the secret in the template.
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

    /// <summary>
    /// A masked copy of the state, or null when neither the message nor any property (its name or its value) shows a
    /// secret: a scope's dictionary can name a property by a secret, and Serilog writes that name. Properties are
    /// copied only once one of them needs masking, so a line without a secret costs no allocation here.
    /// </summary>
    public static RedactedLogState? From<TState>(TState state, SecretMasker masker, string message)
    {
        var maskedMessage = masker.Redact(message);
        KeyValuePair<string, object?>[]? properties = null;
        if (state is IReadOnlyList<KeyValuePair<string, object?>> pairs)
        {
            for (var i = 0; i < pairs.Count; i++)
            {
                var (key, value) = pairs[i];
                var masked = Redact(key, value, masker);
                var maskedKey = masker.Redact(key);
                if (properties is null && !(ReferenceEquals(masked, value) && ReferenceEquals(maskedKey, key)))
                {
                    properties = new KeyValuePair<string, object?>[pairs.Count];
                    for (var j = 0; j < i; j++)
                    {
                        properties[j] = pairs[j];
                    }
                }

                if (properties is not null)
                {
                    properties[i] = new(maskedKey, masked);
                }
            }
        }
        else if (state is IEnumerable<KeyValuePair<string, object?>> bag)
        {
            var all = bag.ToArray();
            var masked = Array.ConvertAll(all, p => new KeyValuePair<string, object?>(masker.Redact(p.Key), Redact(p.Key, p.Value, masker)));
            properties = all.Where((p, i) => !ReferenceEquals(p.Value, masked[i].Value) || !ReferenceEquals(p.Key, masked[i].Key)).Any() ? masked : null;
        }

        return properties is null && ReferenceEquals(maskedMessage, message)
            ? null
            : new RedactedLogState(maskedMessage, properties ?? Properties(state));
    }

    /// <summary>The state as it was, for a line where only the exception needed masking.</summary>
    public static RedactedLogState Unchanged<TState>(TState state, string message) => new(message, Properties(state));

    /// <summary>
    /// A masked stand-in for a scope's state, or null when it shows no secret. Named values become properties as they
    /// were (Serilog adds them to every line in the scope); any other state is masked as a property value would be.
    /// </summary>
    public static object? ForScope<TState>(TState state, SecretMasker masker)
    {
        switch (state)
        {
            case IEnumerable<KeyValuePair<string, object?>>:
                return From(state, masker, state.ToString() ?? string.Empty);
            case ValueTuple<string, object?> (var key, var value):
                var masked = Redact(key, value, masker);
                var maskedKey = masker.Redact(key);
                return ReferenceEquals(masked, value) && ReferenceEquals(maskedKey, key)
                    ? null
                    : new RedactedLogState(masker.Redact(state.ToString() ?? string.Empty), [new(maskedKey, masked)]);
            default:
                var redacted = LogValueRedactor.Redact(state, masker, destructured: false);
                return ReferenceEquals(redacted, state) ? null : redacted;
        }
    }

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)_properties).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => Message;

    private static KeyValuePair<string, object?>[] Properties<TState>(TState state) =>
        state is IEnumerable<KeyValuePair<string, object?>> pairs ? [.. pairs] : [];

    /// <summary>A property named <c>@Name</c> is destructured by Serilog: its object's properties are what the sink shows.</summary>
    private static object? Redact(string key, object? value, SecretMasker masker) =>
        LogValueRedactor.Redact(value, masker, destructured: key.StartsWith('@'));
}

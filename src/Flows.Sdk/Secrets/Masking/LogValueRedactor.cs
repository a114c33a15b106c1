using System.Collections;
using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Flows.Secrets.Masking;

/// <summary>
/// Masks the secret values anywhere in one structured log property, the way a structured sink (Serilog,
/// OpenTelemetry) would find them: strings, numbers and ids as they are formatted, the elements of collections and
/// tuples, the keys and values of dictionaries, the text of other objects, and, for a property the sink destructures
/// (<c>{@Name}</c>), the public properties of objects. A value that shows no secret is returned as the same instance;
/// one that does is replaced by a plain, masked copy of its shape (an array for a sequence or tuple, a
/// <c>Dictionary&lt;string, object?&gt;</c> for a dictionary or a destructured object, a string otherwise).
/// </summary>
/// <remarks>
/// The search stops <see cref="MaxDepth"/> levels down (as deep as Serilog destructures by default) and after
/// <see cref="MaxItems"/> elements and members in all: a value beyond either bound is replaced by its masked text and
/// a longer sequence ends with <see cref="Elided"/>, so nothing unchecked reaches a sink. Strings and formattable
/// value types (numbers, <see cref="Guid"/>, dates) are checked without allocating; a byte array is passed as it is
/// (sinks show bytes, not text).
/// </remarks>
internal static class LogValueRedactor
{
    /// <summary>How many levels of nested collections and objects are searched.</summary>
    public const int MaxDepth = 10;

    /// <summary>How many elements and members are searched in one property value, however nested.</summary>
    public const int MaxItems = 1000;

    /// <summary>What stands for the elements of a sequence past <see cref="MaxItems"/>.</summary>
    public const string Elided = "…";

    private static readonly ConcurrentDictionary<Type, PropertyInfo[]> PropertiesOf = new();

    /// <summary>The value with every secret masked; the same instance when it shows none.</summary>
    /// <param name="value">The property value.</param>
    /// <param name="masker">The known secrets.</param>
    /// <param name="destructured">True when the sink reads the object's properties (<c>{@Name}</c>), not its text.</param>
    public static object? Redact(object? value, SecretMasker masker, bool destructured)
    {
        var budget = MaxItems;
        try
        {
            return Redact(value, masker, destructured, 0, ref budget);
        }
        catch (Exception ex)
        {
            // An enumerator or ToString that throws (a default ImmutableArray) must not fail the caller's log line, and
            // what could not be searched must not reach the sink.
            return $"<{value!.GetType().Name} could not be read to mask secrets: {ex.GetType().Name}>";
        }
    }

    private static object? Redact(object? value, SecretMasker masker, bool destructured, int depth, ref int budget)
    {
        switch (value)
        {
            case null or byte[]:
                return value;
            case string text:
                return masker.Redact(text);
            case ISpanFormattable scalar when value is ValueType:
                return ShowsSecret(scalar, masker) ? masker.Redact(scalar.ToString(null, CultureInfo.InvariantCulture)) : value;
            case ValueType when value.GetType().IsPrimitive:
                return value;
        }

        if (depth >= MaxDepth || budget <= 0)
        {
            return Text(value, masker);
        }

        return value switch
        {
            IDictionary dictionary => RedactDictionary(dictionary, masker, destructured, depth, ref budget),
            IEnumerable items => RedactSequence(items, masker, destructured, depth, ref budget),
            ITuple tuple => RedactTuple(tuple, masker, destructured, depth, ref budget),
            _ when destructured => RedactProperties(value, masker, depth, ref budget),
            _ => RedactText(value, masker),
        };
    }

    /// <summary>Formats a number, id or date on the stack and searches it: no allocation unless it shows a secret.</summary>
    private static bool ShowsSecret(ISpanFormattable scalar, SecretMasker masker)
    {
        Span<char> buffer = stackalloc char[128];
        return scalar.TryFormat(buffer, out var written, default, CultureInfo.InvariantCulture)
            ? masker.Contains(buffer[..written])
            : masker.Contains(scalar.ToString(null, CultureInfo.InvariantCulture));
    }

    private static object RedactDictionary(IDictionary dictionary, SecretMasker masker, bool destructured, int depth, ref int budget)
    {
        var masked = new Dictionary<string, object?>(StringComparer.Ordinal);
        var changed = false;
        var entries = dictionary.GetEnumerator();
        using var disposable = entries as IDisposable;
        while (entries.MoveNext())
        {
            if (--budget < 0)
            {
                masked[Elided] = Elided;
                return masked;
            }

            var key = Redact(entries.Key, masker, false, depth + 1, ref budget);
            var value = Redact(entries.Value, masker, destructured, depth + 1, ref budget);
            changed |= !ReferenceEquals(key, entries.Key) || !ReferenceEquals(value, entries.Value);

            // Two keys that differ only in their secrets both read "***": keep both.
            var name = Convert.ToString(key, CultureInfo.InvariantCulture) ?? string.Empty;
            for (var n = 2; !masked.TryAdd(name, value); n++)
            {
                name = $"{Convert.ToString(key, CultureInfo.InvariantCulture)} ({n})";
            }
        }

        return changed ? masked : dictionary;
    }

    private static object RedactSequence(IEnumerable items, SecretMasker masker, bool destructured, int depth, ref int budget)
    {
        var masked = new List<object?>();
        var changed = false;
        foreach (var item in items)
        {
            if (--budget < 0)
            {
                masked.Add(Elided);
                return masked.ToArray();
            }

            var redacted = Redact(item, masker, destructured, depth + 1, ref budget);
            changed |= !ReferenceEquals(redacted, item);
            masked.Add(redacted);
        }

        return changed ? masked.ToArray() : items;
    }

    private static object RedactTuple(ITuple tuple, SecretMasker masker, bool destructured, int depth, ref int budget)
    {
        var masked = new object?[tuple.Length];
        var changed = false;
        for (var i = 0; i < masked.Length; i++)
        {
            budget--;
            var item = tuple[i];
            masked[i] = Redact(item, masker, destructured, depth + 1, ref budget);
            changed |= !ReferenceEquals(masked[i], item);
        }

        return changed ? masked : tuple;
    }

    /// <summary>The public properties a destructuring sink would read, masked; the object itself when none shows a secret.</summary>
    private static object RedactProperties(object value, SecretMasker masker, int depth, ref int budget)
    {
        var properties = PropertiesOf.GetOrAdd(value.GetType(), static type =>
            [.. type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.GetMethod!.IsPublic && p.GetIndexParameters().Length == 0)]);
        var masked = new Dictionary<string, object?>(StringComparer.Ordinal);
        var changed = false;
        foreach (var property in properties)
        {
            budget--;
            object? item;
            try
            {
                item = property.GetValue(value);
            }
            catch (TargetInvocationException ex)
            {
                // As Serilog shows a getter that throws: by the exception, never by a guess at the value.
                item = $"The property accessor threw an exception: {ex.InnerException?.GetType().Name}";
            }

            masked[property.Name] = Redact(item, masker, true, depth + 1, ref budget);
            changed |= !ReferenceEquals(masked[property.Name], item);
        }

        return changed ? masked : value;
    }

    /// <summary>An object a sink shows by its text: the object itself, or its masked text when that shows a secret.</summary>
    private static object RedactText(object value, SecretMasker masker)
    {
        var text = Text(value);
        var masked = masker.Redact(text);
        return ReferenceEquals(masked, text) ? value : masked;
    }

    private static string Text(object value, SecretMasker masker) => masker.Redact(Text(value));

    private static string Text(object value) => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty;
}

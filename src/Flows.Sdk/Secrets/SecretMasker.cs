using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Flows.Secrets;

/// <summary>
/// Holds every secret value an engine has resolved and replaces each occurrence in text with <see cref="Mask"/>.
/// Reads take no lock: the known values live in an immutable snapshot swapped on each new value, and text is
/// scanned once with <see cref="SearchValues{T}"/>. With no secrets known, masking returns the text unchanged.
/// </summary>
internal sealed class SecretMasker
{
    /// <summary>The text shown in place of a secret value.</summary>
    public const string Mask = "***";

    /// <summary>
    /// Values shorter than this are not masked: a "secret" of one to three characters would turn every occurrence of
    /// those characters in every log line into <c>***</c>, hiding everything else, and protects nothing.
    /// </summary>
    public const int MinimumLength = 4;

    private readonly Lock _gate = new();
    private Snapshot? _snapshot;

    /// <summary>True once at least one value is known.</summary>
    public bool IsActive => Volatile.Read(ref _snapshot) is not null;

    /// <summary>
    /// Learns a value. Also learns its JSON-escaped form (how it appears inside stored parameters) and, for
    /// multi-line values such as PEM keys, each line on its own.
    /// </summary>
    public void Add(string? value)
    {
        if (value is null || value.Length < MinimumLength)
        {
            return;
        }

        // Both JSON escapings: System.Text.Json's default (quotes as \u0022) and the relaxed one (quotes as \").
        var forms = new List<string>
        {
            value,
            JsonEncodedText.Encode(value).Value,
            JsonEncodedText.Encode(value, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).Value,
        };
        if (value.Contains('\n', StringComparison.Ordinal))
        {
            forms.AddRange(value.Split('\n').Select(line => line.Trim('\r')));
        }

        lock (_gate)
        {
            var known = _snapshot?.Values ?? [];
            var added = forms.Where(f => f.Length >= MinimumLength && !known.Contains(f, StringComparer.Ordinal)).Distinct(StringComparer.Ordinal).ToArray();
            if (added.Length > 0)
            {
                Volatile.Write(ref _snapshot, new Snapshot([.. known, .. added]));
            }
        }
    }

    /// <summary>Returns the text with every known value replaced by <see cref="Mask"/>; the same instance when nothing matched.</summary>
    public string Redact(string text)
    {
        var snapshot = Volatile.Read(ref _snapshot);
        if (snapshot is null || string.IsNullOrEmpty(text))
        {
            return text;
        }

        var span = text.AsSpan();
        var next = span.IndexOfAny(snapshot.Search);
        if (next < 0)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        var position = 0;
        while (next >= 0)
        {
            var at = position + next;
            builder.Append(span[position..at]).Append(Mask);
            position = at + snapshot.LongestAt(span[at..]);
            next = span[position..].IndexOfAny(snapshot.Search);
        }

        return builder.Append(span[position..]).ToString();
    }

    /// <summary>True when the text contains a known value.</summary>
    public bool Contains(string text)
    {
        var snapshot = Volatile.Read(ref _snapshot);
        return snapshot is not null && text.AsSpan().IndexOfAny(snapshot.Search) >= 0;
    }

    private sealed class Snapshot
    {
        public Snapshot(string[] values)
        {
            // Longest first, so a secret that contains another is masked whole.
            Values = [.. values.OrderByDescending(v => v.Length)];
            Search = SearchValues.Create(Values, StringComparison.Ordinal);
        }

        public string[] Values { get; }

        public SearchValues<string> Search { get; }

        /// <summary>The length of the longest known value the text starts with (one does: the search found it here).</summary>
        public int LongestAt(ReadOnlySpan<char> text)
        {
            foreach (var value in Values)
            {
                if (text.StartsWith(value, StringComparison.Ordinal))
                {
                    return value.Length;
                }
            }

            return 1;
        }
    }
}

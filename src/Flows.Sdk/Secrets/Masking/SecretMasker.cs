using System.Buffers;
using System.Collections.Frozen;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Flows.Secrets.Masking;

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
    /// Learns a value, with the forms it takes in text the engine records: JSON-escaped (inside stored parameters and
    /// results), URL-encoded (query strings, form bodies), base64 (tokens, Basic authentication headers, encoded
    /// payloads), and for multi-line values such as PEM keys each line on its own. See <see cref="Forms"/>.
    /// </summary>
    public void Add(string? value)
    {
        if (value is null || value.Length < MinimumLength)
        {
            return;
        }

        var forms = Forms(value);
        lock (_gate)
        {
            var known = _snapshot?.Values ?? [];
            var added = forms.Where(f => !known.Contains(f, StringComparer.Ordinal)).ToArray();
            if (added.Length > 0)
            {
                Volatile.Write(ref _snapshot, new Snapshot([.. known, .. added]));
            }
        }
    }

    /// <summary>
    /// The texts masked for a value, each at least <see cref="MinimumLength"/> characters: the value; its URL
    /// encodings (RFC 3986 as <see cref="Uri.EscapeDataString(string)"/> writes it, HTML form encoding as
    /// <see cref="WebUtility.UrlEncode(string)"/> writes it, each with <c>+</c> or <c>%20</c> for a space and with upper- or
    /// lower-case hex); the base64 of its UTF-8 bytes (standard and URL-safe alphabets, with and without padding, and
    /// at each of the three byte alignments inside longer base64, see <see cref="Base64Forms"/>); each of those
    /// JSON-escaped both ways System.Text.Json writes strings; and each line of a multi-line value, trimmed of white space.
    /// </summary>
    internal static string[] Forms(string value)
    {
        var encoded = new List<string> { value };
        encoded.AddRange(UrlForms(value));
        encoded.AddRange(Base64Forms(Encoding.UTF8.GetBytes(value)));

        // Both JSON escapings: System.Text.Json's default (quotes as \u0022, '+' as \u002B) and the relaxed one (quotes as \").
        var forms = encoded.SelectMany(form => new[]
        {
            form,
            JsonEncodedText.Encode(form).Value,
            JsonEncodedText.Encode(form, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).Value,
        }).ToList();
        if (value.Contains('\n', StringComparison.Ordinal))
        {
            // Trimmed: a line is logged without its indentation, and indentation or a bracket alone is ordinary text.
            forms.AddRange(value.Split('\n').Select(line => line.Trim()));
        }

        return [.. forms.Where(f => f.Length >= MinimumLength).Distinct(StringComparer.Ordinal)];
    }

    private static IEnumerable<string> UrlForms(string value)
    {
        var rfc3986 = Uri.EscapeDataString(value);
        var form = WebUtility.UrlEncode(value);
        foreach (var encoded in new[] { rfc3986, rfc3986.Replace("%20", "+", StringComparison.Ordinal), form, form.Replace("+", "%20", StringComparison.Ordinal) })
        {
            yield return encoded;
            yield return LowerCaseHex(encoded);
        }
    }

    /// <summary>
    /// Base64 of the value's bytes, standard and URL-safe. Alone, the whole encoding (with and without padding).
    /// Inside longer base64 the characters depend on where the value's bytes fall in the 3-byte groups: for each of
    /// the three alignments, the run of characters computed from the value's bits only (all but the first one to
    /// three and the last one or two characters, which mix in the neighbouring bytes' bits) is masked.
    /// </summary>
    private static IEnumerable<string> Base64Forms(byte[] bytes)
    {
        var forms = new List<string>();
        var whole = Convert.ToBase64String(bytes);
        forms.Add(whole);
        forms.Add(whole.TrimEnd('='));
        for (var offset = 0; offset < 3; offset++)
        {
            var padded = new byte[offset + bytes.Length];
            bytes.CopyTo(padded, offset);
            var text = Convert.ToBase64String(padded);

            // Character i holds bits [6i, 6i + 6) of the input; keep those entirely within the value's bits.
            var first = ((8 * offset) + 5) / 6;
            var end = 8 * (offset + bytes.Length) / 6;
            forms.Add(text[first..end]);
        }

        return forms.Concat(forms.Select(f => f.Replace('+', '-').Replace('/', '_').TrimEnd('=')));
    }

    private static string LowerCaseHex(string encoded)
    {
        var chars = encoded.ToCharArray();
        for (var i = 0; i + 2 < chars.Length; i++)
        {
            if (chars[i] == '%')
            {
                chars[i + 1] = char.ToLowerInvariant(chars[i + 1]);
                chars[i + 2] = char.ToLowerInvariant(chars[i + 2]);
            }
        }

        return new string(chars);
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
    public bool Contains(ReadOnlySpan<char> text)
    {
        var snapshot = Volatile.Read(ref _snapshot);
        return snapshot is not null && text.IndexOfAny(snapshot.Search) >= 0;
    }

    private sealed class Snapshot
    {
        private readonly FrozenDictionary<char, string[]> _byFirstChar;

        public Snapshot(string[] values)
        {
            Values = values;
            Search = SearchValues.Create(Values, StringComparison.Ordinal);

            // Longest first, so a secret that contains another is masked whole. Grouped by first character, so a match
            // compares the few forms that can start there, not every form of every secret.
            _byFirstChar = values.GroupBy(v => v[0]).ToFrozenDictionary(g => g.Key, g => g.OrderByDescending(v => v.Length).ToArray());
        }

        public string[] Values { get; }

        public SearchValues<string> Search { get; }

        /// <summary>The length of the longest known value the text starts with (one does: the search found it here).</summary>
        public int LongestAt(ReadOnlySpan<char> text)
        {
            foreach (var value in _byFirstChar[text[0]])
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

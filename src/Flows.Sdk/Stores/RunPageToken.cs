using System.Globalization;
using System.Text;

namespace Flows.Stores;

/// <summary>
/// The page tokens of <see cref="IRunStore.QueryRunPageAsync"/>: a keyset (the last run's creation time in UTC ticks
/// and its sequence in the store) or an offset, written as URL-safe base64 so no one mistakes them for a contract.
/// </summary>
internal static class RunPageToken
{
    private const string KeysetPrefix = "k1:";
    private const string OffsetPrefix = "o1:";

    /// <summary>A token continuing after the run created at <paramref name="createdAt"/> with sequence <paramref name="sequence"/>.</summary>
    public static string Keyset(DateTimeOffset createdAt, long sequence) =>
        Encode(FormattableString.Invariant($"{KeysetPrefix}{createdAt.UtcTicks}:{sequence}"));

    /// <summary>A token continuing after <paramref name="offset"/> runs.</summary>
    public static string Offset(int offset) => Encode(FormattableString.Invariant($"{OffsetPrefix}{offset}"));

    /// <summary>The keyset of a token made by <see cref="Keyset"/>.</summary>
    /// <exception cref="ArgumentException">The token is not a keyset token.</exception>
    public static (DateTimeOffset CreatedAt, long Sequence) ParseKeyset(string token)
    {
        var text = Decode(token);
        var parts = text.StartsWith(KeysetPrefix, StringComparison.Ordinal) ? text[KeysetPrefix.Length..].Split(':') : [];
        if (parts.Length == 2
            && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            && ticks <= DateTimeOffset.MaxValue.UtcTicks
            && long.TryParse(parts[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var sequence))
        {
            return (new DateTimeOffset(ticks, TimeSpan.Zero), sequence);
        }

        throw Invalid(token);
    }

    /// <summary>The offset of a token made by <see cref="Offset"/>.</summary>
    /// <exception cref="ArgumentException">The token is not an offset token.</exception>
    public static int ParseOffset(string token)
    {
        var text = Decode(token);
        return text.StartsWith(OffsetPrefix, StringComparison.Ordinal)
            && int.TryParse(text.AsSpan(OffsetPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var offset)
                ? offset
                : throw Invalid(token);
    }

    private static string Encode(string text) =>
        Convert.ToBase64String(Encoding.ASCII.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string Decode(string token)
    {
        var base64 = token.Replace('-', '+').Replace('_', '/');
        base64 += new string('=', (4 - (base64.Length % 4)) % 4);
        var bytes = new byte[base64.Length];
        return token.Length is > 0 and <= 200 && Convert.TryFromBase64String(base64, bytes, out var written)
            ? Encoding.ASCII.GetString(bytes, 0, written)
            : throw Invalid(token);
    }

    private static ArgumentException Invalid(string token) =>
        new($"The page token '{(token.Length > 40 ? token[..40] + "…" : token)}' is not one this store issued: give the nextPageToken of a previous page of the same query, or none for the first page.", "query");
}

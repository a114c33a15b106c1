using System.Globalization;
using System.Text.RegularExpressions;

namespace Flows.Cli.Output;

/// <summary>
/// Reads the times options take (<c>--from 2026-11-01</c>, <c>--to "2026-11-02 06:00"</c>): a date, or a date and time
/// to the minute or second (<c>T</c> or a space between), in the local zone (UTC with <c>--utc</c>) unless it carries
/// its own offset (<c>Z</c>, <c>+02:00</c>).
/// </summary>
internal static partial class Times
{
    private static readonly string[] Forms =
    [
        "yyyy-MM-dd", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss",
    ];

    private static readonly string[] FormsWithOffset =
    [
        "yyyy-MM-dd'T'HH:mmzzz", "yyyy-MM-dd'T'HH:mm:sszzz", "yyyy-MM-dd HH:mmzzz", "yyyy-MM-dd HH:mm:sszzz",
        "yyyy-MM-dd'T'HH:mm'Z'", "yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd HH:mm'Z'", "yyyy-MM-dd HH:mm:ss'Z'",
    ];

    /// <summary>The time <paramref name="text"/> gives; a <see cref="CommandLineException"/> naming the option and the expected forms when it gives none.</summary>
    public static DateTimeOffset Parse(string text, string option, TimeZoneInfo zone, bool utc)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        if (Offset().IsMatch(trimmed))
        {
            if (DateTimeOffset.TryParseExact(trimmed, FormsWithOffset, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var withOffset))
            {
                return withOffset;
            }
        }
        else if (DateTime.TryParseExact(trimmed, Forms, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            var inZone = utc ? TimeZoneInfo.Utc : zone;
            return new DateTimeOffset(local, inZone.GetUtcOffset(local));
        }

        throw new CommandLineException(
            $"{option} '{text}' is not a time: expected a date or a date and time, as in 2026-11-01, 2026-11-01T06:00 or \"2026-11-01 06:00:00\" "
            + "(local time; UTC with --utc), or with an offset, as in 2026-11-01T06:00Z or 2026-11-01T06:00+02:00.");
    }

    [GeneratedRegex(@"[T ]\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex Offset();
}

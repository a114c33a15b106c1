using System.Globalization;

namespace Flows.Cli.Output;

/// <summary>
/// Reads the spans options take (<c>--since 2h</c>, <c>--older-than 30d</c>): a whole number and one unit, <c>s</c>,
/// <c>m</c>, <c>h</c>, <c>d</c> or <c>w</c>.
/// </summary>
internal static class Spans
{
    /// <summary>The span <paramref name="text"/> gives; a <see cref="CommandLineException"/> naming the option and the expected form when it gives none.</summary>
    public static TimeSpan Parse(string text, string option)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        if (trimmed.Length >= 2
            && long.TryParse(trimmed.AsSpan(0, trimmed.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            && count is > 0 and <= 100_000)
        {
            TimeSpan? span = char.ToLowerInvariant(trimmed[^1]) switch
            {
                's' => TimeSpan.FromSeconds(count),
                'm' => TimeSpan.FromMinutes(count),
                'h' => TimeSpan.FromHours(count),
                'd' => TimeSpan.FromDays(count),
                'w' => TimeSpan.FromDays(7 * count),
                _ => null,
            };
            if (span is { } value)
            {
                return value;
            }
        }

        throw new CommandLineException(
            $"{option} '{text}' is not a span of time: expected a positive whole number and one unit, s, m, h, d or w (as in 90s, 30m, 2h, 7d, 2w).");
    }
}

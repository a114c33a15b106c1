using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Flows;

/// <summary>
/// At most <see cref="Permits"/> attempts start in each <see cref="Interval"/> (a fixed window measured on the
/// engine's clock). Written <c>"10/1s"</c> in configuration (<c>Flows:RateLimits:&lt;tag&gt;</c>); the interval takes
/// the units <c>ms</c>, <c>s</c>, <c>m</c>, <c>h</c> and <c>d</c>, and its number may be left out (<c>"10/s"</c>).
/// </summary>
public readonly partial record struct RateLimit
{
    /// <summary>A limit of <paramref name="permits"/> attempts per <paramref name="interval"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Either value is zero or less.</exception>
    public RateLimit(int permits, TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(permits, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        Permits = permits;
        Interval = interval;
    }

    /// <summary>How many attempts may start in one interval.</summary>
    public int Permits { get; }

    /// <summary>The length of one window.</summary>
    public TimeSpan Interval { get; }

    /// <summary>True for a usable limit; <c>default(RateLimit)</c> is not one.</summary>
    public bool IsValid => Permits > 0 && Interval > TimeSpan.Zero;

    /// <summary>What the accepted text looks like, for error messages.</summary>
    internal const string Format = "'<permits>/<interval>' such as '10/1s', '100/1m' or '5/500ms', both above 0";

    /// <summary>Reads <c>"10/1s"</c>.</summary>
    /// <exception cref="FormatException">The text is not a rate; the message shows the accepted form.</exception>
    public static RateLimit Parse(string text) =>
        TryParse(text, out var limit) ? limit : throw new FormatException($"'{text}' is not a rate limit: expected {Format}.");

    /// <summary>Reads <c>"10/1s"</c>, returning false for anything else, including zero permits or a zero interval.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out RateLimit limit)
    {
        limit = default;
        var match = text is null ? null : Pattern().Match(text);
        if (match is not { Success: true }
            || !int.TryParse(match.Groups["permits"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var permits)
            || permits < 1)
        {
            return false;
        }

        var amount = 1d;
        if (match.Groups["amount"].Success
            && !double.TryParse(match.Groups["amount"].ValueSpan, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out amount))
        {
            return false;
        }

        var unit = match.Groups["unit"].Value switch
        {
            "ms" => TimeSpan.FromMilliseconds(1),
            "s" => TimeSpan.FromSeconds(1),
            "m" => TimeSpan.FromMinutes(1),
            "h" => TimeSpan.FromHours(1),
            _ => TimeSpan.FromDays(1),
        };
        var interval = unit * amount;
        if (interval <= TimeSpan.Zero)
        {
            return false;
        }

        limit = new RateLimit(permits, interval);
        return true;
    }

    /// <summary>The configuration form, <c>"10/1s"</c>.</summary>
    public override string ToString() => Interval switch
    {
        _ when !IsValid => "(none)",
        { TotalDays: >= 1 } when Interval.Ticks % TimeSpan.TicksPerDay == 0 => $"{Permits}/{Interval.TotalDays.ToString(CultureInfo.InvariantCulture)}d",
        { TotalHours: >= 1 } when Interval.Ticks % TimeSpan.TicksPerHour == 0 => $"{Permits}/{Interval.TotalHours.ToString(CultureInfo.InvariantCulture)}h",
        { TotalMinutes: >= 1 } when Interval.Ticks % TimeSpan.TicksPerMinute == 0 => $"{Permits}/{Interval.TotalMinutes.ToString(CultureInfo.InvariantCulture)}m",
        { TotalSeconds: >= 1 } => $"{Permits}/{Interval.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s",
        _ => $"{Permits}/{Interval.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}ms",
    };

    [GeneratedRegex(@"^\s*(?<permits>\d+)\s*/\s*(?<amount>\d+(\.\d+)?)?\s*(?<unit>ms|s|m|h|d)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}

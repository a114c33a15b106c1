using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Flows;

/// <summary>
/// At most <see cref="Permits"/> attempts start in each <see cref="Interval"/> (a fixed window measured on the
/// engine's clock). Written <c>"10/1s"</c> in configuration (<c>Flows:RateLimits:&lt;tag&gt;</c>); the interval takes
/// the units <c>ms</c>, <c>s</c>, <c>m</c>, <c>h</c> and <c>d</c>, and its number may be left out (<c>"10/s"</c>).
/// Permits go from 1 to <see cref="int.MaxValue"/>; the interval from 1 ms to 49 days, in whole milliseconds.
/// </summary>
public readonly partial record struct RateLimit
{
    /// <summary>What the accepted values are, for error messages.</summary>
    internal const string Range = "permits from 1 to 2147483647 and an interval from 1 ms to 49 days, in whole milliseconds";

    /// <summary>What the accepted text looks like, for error messages.</summary>
    internal const string Format = "'<permits>/<interval>' such as '10/1s', '100/1m' or '5/500ms', with " + Range;

    /// <summary>
    /// The longest window. A window is one timer period, and a .NET timer waits at most 2^32 - 2 ms (about 49.7 days;
    /// <c>TimeProvider.System</c> throws beyond it): 49 days is the round number below.
    /// </summary>
    private static readonly TimeSpan MaxInterval = TimeSpan.FromDays(49);

    /// <summary>A limit of <paramref name="permits"/> attempts per <paramref name="interval"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="permits"/> is less than 1, or <paramref name="interval"/> is not a whole number of milliseconds
    /// from 1 ms to 49 days.
    /// </exception>
    public RateLimit(int permits, TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(permits, 1);
        if (!IsInRange(interval))
        {
            throw new ArgumentOutOfRangeException(nameof(interval), interval, $"A rate limit's interval is not valid: expected {Range}.");
        }

        Permits = permits;
        Interval = interval;
    }

    /// <summary>How many attempts may start in one interval.</summary>
    public int Permits { get; }

    /// <summary>The length of one window.</summary>
    public TimeSpan Interval { get; }

    /// <summary>True for a usable limit; <c>default(RateLimit)</c> is not one.</summary>
    public bool IsValid => Permits > 0 && IsInRange(Interval);

    /// <summary>Reads <c>"10/1s"</c>.</summary>
    /// <exception cref="FormatException">The text is not a rate; the message shows the accepted form.</exception>
    public static RateLimit Parse(string text) =>
        TryParse(text, out var limit) ? limit : throw new FormatException($"'{text}' is not a rate limit: expected {Format}.");

    /// <summary>Reads <c>"10/1s"</c>, returning false for anything else, including permits or an interval out of range.</summary>
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

        // Decimal, not double: "1.005s" is exactly 1005 ms, and a huge number fails to parse instead of overflowing.
        var amount = 1m;
        if (match.Groups["amount"].Success
            && !decimal.TryParse(match.Groups["amount"].ValueSpan, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out amount))
        {
            return false;
        }

        var unit = match.Groups["unit"].Value switch
        {
            "ms" => 1m,
            "s" => 1_000m,
            "m" => 60_000m,
            "h" => 3_600_000m,
            _ => 86_400_000m,
        };
        // Every unit is at least 1 ms, so a larger amount is out of range; checked first, as the product could overflow.
        if (amount > (decimal)MaxInterval.TotalMilliseconds)
        {
            return false;
        }

        var milliseconds = amount * unit;
        if (milliseconds != decimal.Truncate(milliseconds) || milliseconds < 1 || milliseconds > (decimal)MaxInterval.TotalMilliseconds)
        {
            return false;
        }

        limit = new RateLimit(permits, TimeSpan.FromMilliseconds((long)milliseconds));
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

    /// <summary>1 ms to 49 days in whole milliseconds: system timers count whole milliseconds, and one shorter than 1 ms fires once and never again.</summary>
    private static bool IsInRange(TimeSpan interval) =>
        interval >= TimeSpan.FromMilliseconds(1) && interval <= MaxInterval && interval.Ticks % TimeSpan.TicksPerMillisecond == 0;

    [GeneratedRegex(@"^\s*(?<permits>\d+)\s*/\s*(?<amount>\d+(\.\d+)?)?\s*(?<unit>ms|s|m|h|d)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}

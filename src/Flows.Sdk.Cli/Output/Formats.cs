using System.Globalization;

namespace Flows.Cli.Output;

/// <summary>
/// How times and durations read in the command line's human output: times in the local zone (or UTC with
/// <c>--utc</c>), relative times ("3m ago") and durations ("1m 05s"). JSON output uses ISO 8601 UTC times instead.
/// </summary>
internal sealed class Formats(TimeProvider time, TimeZoneInfo zone, bool utc)
{
    /// <summary>A time to the second: <c>2026-12-04 09:30:05</c> local, or <c>2026-12-04 09:30:05Z</c> in UTC.</summary>
    public string Time(DateTimeOffset at) =>
        utc
            ? at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : TimeZoneInfo.ConvertTime(at, zone).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>A time, or a dash when there is none.</summary>
    public string Time(DateTimeOffset? at) => at is { } value ? Time(value) : "-";

    /// <summary>How long ago (or how soon) a time is from now: <c>42s ago</c>, <c>3h ago</c>, <c>in 5m</c>.</summary>
    public string Relative(DateTimeOffset at)
    {
        var now = time.GetUtcNow();
        return at <= now ? Short(now - at) + " ago" : "in " + Short(at - now);
    }

    /// <summary>A duration with its two leading units: <c>850ms</c>, <c>12.3s</c>, <c>3m 12s</c>, <c>2h 05m</c>, <c>3d 4h</c>.</summary>
    public static string Duration(TimeSpan duration)
    {
        if (duration < TimeSpan.Zero)
        {
            duration = TimeSpan.Zero;
        }

        return duration switch
        {
            { TotalSeconds: < 1 } => $"{(int)duration.TotalMilliseconds}ms",
            { TotalSeconds: < 60 } => duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + "s",
            { TotalMinutes: < 60 } => $"{(int)duration.TotalMinutes}m {duration.Seconds:00}s",
            { TotalHours: < 24 } => $"{(int)duration.TotalHours}h {duration.Minutes:00}m",
            _ => $"{(int)duration.TotalDays}d {duration.Hours}h",
        };
    }

    /// <summary>A duration, or a dash when there is none.</summary>
    public static string Duration(TimeSpan? duration) => duration is { } value ? Duration(value) : "-";

    /// <summary>One unit, whole: <c>42s</c>, <c>3m</c>, <c>5h</c>, <c>2d</c>.</summary>
    private static string Short(TimeSpan span) => span switch
    {
        { TotalSeconds: < 60 } => $"{(int)span.TotalSeconds}s",
        { TotalMinutes: < 60 } => $"{(int)span.TotalMinutes}m",
        { TotalHours: < 48 } => $"{(int)span.TotalHours}h",
        _ => $"{(int)span.TotalDays}d",
    };
}

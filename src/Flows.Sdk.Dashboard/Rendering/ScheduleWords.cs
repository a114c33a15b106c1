using System.Globalization;
using Flows.Orchestration;

namespace Flows.Dashboard.Rendering;

/// <summary>
/// A deployment's schedule as people say it: <c>every weekday at 06:00 America/New_York</c>, <c>every 15 minutes</c>,
/// <c>at 02:30 UTC on day 1 of every month</c>. A time of day always names its zone (UTC when the schedule names none),
/// since the reader may be in another. A crontab these words cannot say exactly is shown as written, with its zone.
/// </summary>
internal static class ScheduleWords
{
    private static readonly string[] DayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
    private static readonly string[] DayAbbreviations = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
    private static readonly string[] MonthNames = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
    private static readonly string[] MonthAbbreviations = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];

    /// <summary>The schedule in words; the crontab as written, with its zone, when it cannot be said exactly.</summary>
    public static string Describe(DeploymentSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        if (schedule.Cron is { } cron)
        {
            var zone = schedule.TimeZone ?? "UTC";
            return DescribeCron(cron, zone) ?? Crontab(schedule);
        }

        var every = Interval(schedule.Every ?? TimeSpan.Zero);
        return schedule.Anchor is { } anchor
            ? $"{every} from {anchor.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC"
            : every;
    }

    /// <summary>The schedule as written: <c>cron 0 6 * * 1-5 in America/New_York</c>, <c>every 00:15:00</c>.</summary>
    public static string Crontab(DeploymentSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        return schedule.Cron is { } cron
            ? $"cron {cron.Trim()} in {schedule.TimeZone ?? "UTC"}"
            : string.Create(CultureInfo.InvariantCulture, $"every {schedule.Every}") + (schedule.Anchor is { } anchor ? $" from {anchor.ToString("O", CultureInfo.InvariantCulture)}" : string.Empty);
    }

    /// <summary>An interval in its largest whole unit: <c>every 15 minutes</c>, <c>every hour</c>, <c>every 90 seconds</c>.</summary>
    private static string Interval(TimeSpan every)
    {
        if (every <= TimeSpan.Zero)
        {
            return string.Create(CultureInfo.InvariantCulture, $"every {every}");
        }

        var (count, unit) = every.Ticks % TimeSpan.TicksPerDay == 0 ? (every.Ticks / TimeSpan.TicksPerDay, "day")
            : every.Ticks % TimeSpan.TicksPerHour == 0 ? (every.Ticks / TimeSpan.TicksPerHour, "hour")
            : every.Ticks % TimeSpan.TicksPerMinute == 0 ? (every.Ticks / TimeSpan.TicksPerMinute, "minute")
            : every.Ticks % TimeSpan.TicksPerSecond == 0 ? (every.Ticks / TimeSpan.TicksPerSecond, "second")
            : (0L, string.Empty);
        return count switch
        {
            0 => string.Create(CultureInfo.InvariantCulture, $"every {every}"),
            1 => $"every {unit}",
            _ => string.Create(CultureInfo.InvariantCulture, $"every {count} {unit}s"),
        };
    }

    private static string? DescribeCron(string cron, string zone)
    {
        var fields = Expand(cron.Trim()).Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length == 6)
        {
            if (fields[0] != "0")
            {
                return null;
            }

            fields = fields[1..];
        }

        if (fields.Length != 5)
        {
            return null;
        }

        var (minute, hour, dayOfMonth, month, dayOfWeek) = (fields[0], fields[1], fields[2], fields[3], fields[4]);
        var everyDay = dayOfMonth == "*" && month == "*" && dayOfWeek == "*";

        // Within the hour: every minute, every n minutes, every hour (at a minute), every n hours.
        if (everyDay && hour == "*")
        {
            return minute switch
            {
                "*" => "every minute",
                _ when Step(minute, 60) is { } n => n == 1 ? "every minute" : $"every {n} minutes",
                _ when Single(minute, 0, 59) is { } m => m == 0 ? "every hour" : $"every hour at :{m:00}",
                _ => null,
            };
        }

        if (Single(minute, 0, 59) is not { } at)
        {
            return null;
        }

        if (everyDay && Step(hour, 24) is { } hours)
        {
            // The hours counted from midnight in the zone: which ones they are depends on it.
            return hours == 1 ? (at == 0 ? "every hour" : $"every hour at :{at:00}") : $"every {hours} hours from 00:{at:00} {zone}";
        }

        // More than a few times a day reads better as the crontab.
        if (List(hour, 0, 23, null) is not { Count: <= 4 } hourList)
        {
            return null;
        }

        var times = $"at {And(hourList.Select(h => $"{h:00}:{at:00}"))} {zone}";
        if (everyDay)
        {
            return $"every day {times}";
        }

        if (dayOfMonth == "*" && month == "*" && List(dayOfWeek, 0, 7, DayAbbreviations) is { } days)
        {
            var set = days.Select(d => d % 7).Distinct().Order().ToList();
            return set.SequenceEqual([1, 2, 3, 4, 5]) ? $"every weekday {times}"
                : set.SequenceEqual([0, 6]) ? $"every Saturday and Sunday {times}"
                : set.Count == 7 ? $"every day {times}"
                : $"every {And(set.Select(d => DayNames[d]))} {times}";
        }

        if (dayOfWeek == "*" && List(dayOfMonth, 1, 31, null) is { } dates)
        {
            var on = $"on {(dates.Count == 1 ? "day" : "days")} {And(dates.Select(d => d.ToString(CultureInfo.InvariantCulture)))}";
            return month == "*" ? $"{times} {on} of every month"
                : List(month, 1, 12, MonthAbbreviations) is { } months ? $"{times} {on} of {And(months.Select(m => MonthNames[m - 1]))}"
                : null;
        }

        return null;
    }

    private static string Expand(string cron) => cron.ToLowerInvariant() switch
    {
        "@yearly" or "@annually" => "0 0 1 1 *",
        "@monthly" => "0 0 1 * *",
        "@weekly" => "0 0 * * 0",
        "@daily" or "@midnight" => "0 0 * * *",
        "@hourly" => "0 * * * *",
        _ => cron,
    };

    /// <summary>n for <c>*/n</c> or <c>0/n</c> when n divides <paramref name="cycle"/> (so the steps are even across its end); else null.</summary>
    private static int? Step(string field, int cycle)
    {
        var parts = field.Split('/');
        return parts.Length == 2 && parts[0] is "*" or "0"
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 && n < cycle && cycle % n == 0
            ? n
            : null;
    }

    private static int? Single(string field, int min, int max) =>
        int.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max ? n : null;

    /// <summary>The values of a field of numbers, names, lists and ranges (<c>1,3-5</c>, <c>MON-FRI</c>), in order; null for anything else.</summary>
    private static List<int>? List(string field, int min, int max, string[]? names)
    {
        var values = new SortedSet<int>();
        foreach (var item in field.Split(','))
        {
            var range = item.Split('-');
            if (range.Length > 2 || Value(range[0], min, max, names) is not { } from)
            {
                return null;
            }

            var to = from;
            if (range.Length == 2 && (Value(range[1], min, max, names) is not { } end || end < from))
            {
                return null;
            }
            else if (range.Length == 2)
            {
                to = Value(range[1], min, max, names)!.Value;
            }

            for (var v = from; v <= to; v++)
            {
                values.Add(v);
            }
        }

        return [.. values];
    }

    private static int? Value(string text, int min, int max, string[]? names)
    {
        if (Single(text, min, max) is { } n)
        {
            return n;
        }

        var index = names is null ? -1 : Array.IndexOf(names, text.ToUpperInvariant());
        return index < 0 ? null : index + (names == MonthAbbreviations ? 1 : 0);
    }

    private static string And(IEnumerable<string> items)
    {
        var list = items.ToList();
        return list.Count <= 1 ? string.Concat(list) : $"{string.Join(", ", list[..^1])} and {list[^1]}";
    }
}

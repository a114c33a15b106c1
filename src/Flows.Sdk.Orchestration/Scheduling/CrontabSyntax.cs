// This file is compiled twice: into Flows.Sdk.Orchestration (behind CrontabExpression) and, linked, into the
// netstandard2.0 source generator, which checks literal schedules at compile time (FLOWS1012). It therefore uses
// nothing newer than netstandard2.0 and nothing from Quartz, so both read a crontab line the same way.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Flows.Orchestration.Scheduling;

/// <summary>A crontab line read by <see cref="CrontabSyntax"/>: whether it had a seconds field, and the Quartz expressions it means.</summary>
internal sealed class CrontabFields
{
    internal CrontabFields(bool hasSeconds, IReadOnlyList<string> quartzExpressions)
    {
        HasSeconds = hasSeconds;
        QuartzExpressions = quartzExpressions;
    }

    /// <summary>Whether the line had six fields, the first being seconds.</summary>
    public bool HasSeconds { get; }

    /// <summary>One or two Quartz cron expressions whose union of fire times is the crontab line's.</summary>
    public IReadOnlyList<string> QuartzExpressions { get; }
}

/// <summary>
/// Reads crontab as cronie does - five fields (minute hour day-of-month month day-of-week), or six with seconds
/// first - and translates it into Quartz's dialect, naming the field and the problem when it cannot.
/// </summary>
internal static class CrontabSyntax
{
    private static readonly string[] MonthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    private static readonly string[] DayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

    private static readonly FieldSpec Second = new("second", 0, 59, null, 0);
    private static readonly FieldSpec Minute = new("minute", 0, 59, null, 0);
    private static readonly FieldSpec Hour = new("hour", 0, 23, null, 0);
    private static readonly FieldSpec DayOfMonth = new("day of month", 1, 31, null, 0);
    private static readonly FieldSpec Month = new("month", 1, 12, MonthNames, 1);
    private static readonly FieldSpec DayOfWeek = new("day of week", 0, 7, DayNames, 0);

    private static readonly string[] Ordinals = ["1st", "2nd", "3rd", "4th", "5th", "6th"];

    /// <summary>Reads <paramref name="expression"/>; on failure <paramref name="error"/> names the field and what is wrong.</summary>
    public static bool TryParse(string? expression, out CrontabFields? result, out string? error)
    {
        result = null;
        if (expression is null || expression.Trim().Length == 0)
        {
            error = "the expression is empty; expected 5 fields (minute hour day-of-month month day-of-week), 6 with seconds first, or a macro such as @daily";
            return false;
        }

        var text = expression.Trim();
        if (text[0] == '@')
        {
            if (!TryExpandMacro(text, out text, out error))
            {
                return false;
            }
        }

        var parts = text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is not (5 or 6))
        {
            error = $"expected 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first, but found {parts.Length}";
            return false;
        }

        var hasSeconds = parts.Length == 6;
        var first = hasSeconds ? 0 : -1;
        var specs = new[] { Second, Minute, Hour, DayOfMonth, Month, DayOfWeek };
        var sets = new bool[6][];
        sets[0] = new bool[60];
        sets[0][0] = true;
        for (var i = hasSeconds ? 0 : 1; i < 6; i++)
        {
            var written = parts[i + first];
            if (!TryParseField(written, specs[i], out sets[i], out var problem))
            {
                error = $"field '{specs[i].Name}' ({Ordinals[i + first]}): {problem}";
                return false;
            }
        }

        // 7 is Sunday as well as 0.
        var dayOfWeek = sets[5];
        dayOfWeek[0] |= dayOfWeek[7];
        dayOfWeek[7] = false;

        // Every second is written as values: Quartz warns of a '*' seconds field under a restricted minute or hour
        // as a likely mistake, but a six-field crontab line that says '*' there means it.
        var seconds = Format(sets[0], 0, 59, 0);
        seconds = seconds == "*" ? "0-59" : seconds;
        var head = $"{seconds} {Format(sets[1], 0, 59, 0)} {Format(sets[2], 0, 23, 0)}";
        var month = Format(sets[4], 1, 12, 0);
        var days = Format(sets[3], 1, 31, 0);
        // Quartz numbers the week 1 (Sunday) to 7 (Saturday); crontab 0 to 6.
        var weekdays = Format(dayOfWeek, 0, 6, 1);
        var domText = parts[3 + first];
        var dowText = parts[5 + first];
        var everyDayOfMonth = days == "*";
        var everyDayOfWeek = weekdays == "*";

        if (IsStarred(domText) || IsStarred(dowText))
        {
            // cronie: a day field written starting with '*' (even '*/2') makes the day rule AND: a day must match
            // both fields. Quartz can say that only when one of the two names every day.
            if (everyDayOfWeek)
            {
                result = new CrontabFields(hasSeconds, [$"{head} {days} {month} ?"]);
            }
            else if (everyDayOfMonth)
            {
                result = new CrontabFields(hasSeconds, [$"{head} ? {month} {weekdays}"]);
            }
            else
            {
                error = $"fields 'day of month' ('{domText}') and 'day of week' ('{dowText}') both leave days out and one starts with '*', "
                    + "so crontab runs only on days matching both, which Quartz cannot schedule; write that field without '*' (e.g. '1-31/2') "
                    + "to run on days matching either field";
                return false;
            }
        }
        else if (everyDayOfMonth || everyDayOfWeek)
        {
            // Either-matches with one field naming every day: every day.
            result = new CrontabFields(hasSeconds, [$"{head} * {month} ?"]);
        }
        else
        {
            // Both restricted: crontab runs on a day matching EITHER field; Quartz needs one expression per field.
            result = new CrontabFields(hasSeconds, [$"{head} {days} {month} ?", $"{head} ? {month} {weekdays}"]);
        }

        error = null;
        return true;
    }

    private static bool IsStarred(string field) => field.Length > 0 && field[0] == '*';

    private static bool TryExpandMacro(string text, out string expanded, out string? error)
    {
        error = null;
        switch (text.ToLowerInvariant())
        {
            case "@yearly":
            case "@annually":
                expanded = "0 0 1 1 *";
                return true;
            case "@monthly":
                expanded = "0 0 1 * *";
                return true;
            case "@weekly":
                expanded = "0 0 * * 0";
                return true;
            case "@daily":
            case "@midnight":
                expanded = "0 0 * * *";
                return true;
            case "@hourly":
                expanded = "0 * * * *";
                return true;
            case "@reboot":
                expanded = text;
                error = "'@reboot' runs when cron itself starts, which is not a schedule; give a time such as '@daily' or '0 6 * * *'";
                return false;
            default:
                expanded = text;
                error = $"'{text}' is not a crontab macro; expected @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly";
                return false;
        }
    }

    private static bool TryParseField(string text, FieldSpec spec, out bool[] set, out string? problem)
    {
        set = new bool[spec.Max + 1];
        if (text.IndexOf('?') >= 0)
        {
            problem = $"'{text}' uses '?', which is Quartz cron syntax that crontab does not have; write '*'";
            return false;
        }

        if (text.IndexOf('#') >= 0)
        {
            problem = $"'{text}' uses '#' (nth weekday of the month), which is Quartz cron syntax that crontab does not have";
            return false;
        }

        foreach (var element in text.Split(','))
        {
            if (!TryParseElement(element, spec, set, out problem))
            {
                return false;
            }
        }

        problem = null;
        return true;
    }

    // element := ('*' | value | value '-' value) ['/' step]
    private static bool TryParseElement(string element, FieldSpec spec, bool[] set, out string? problem)
    {
        if (element.Length == 0)
        {
            problem = "a list has an empty element (two commas, or one at an end)";
            return false;
        }

        var range = element;
        var step = 1;
        var slash = element.IndexOf('/');
        if (slash >= 0)
        {
            range = element.Substring(0, slash);
            var stepText = element.Substring(slash + 1);
            var count = spec.Max - spec.Min + 1;
            if (!IsDigits(stepText) || !int.TryParse(stepText, NumberStyles.None, CultureInfo.InvariantCulture, out step))
            {
                problem = $"step '{stepText}' in '{element}' is not a number";
                return false;
            }

            if (step < 1 || step > count)
            {
                problem = $"step {stepText} in '{element}' is out of range 1-{count}";
                return false;
            }
        }

        int low;
        int high;
        if (range.Length == 0)
        {
            problem = $"'{element}' has nothing before the '/'; write '*/{element.Substring(1)}' or a range";
            return false;
        }

        if (range == "*")
        {
            low = spec.Min;
            high = spec.Max;
        }
        else
        {
            var dash = range.IndexOf('-', 1);
            var lowText = dash < 0 ? range : range.Substring(0, dash);
            if (!TryParseValue(lowText, spec, out low, out problem))
            {
                return false;
            }

            if (dash >= 0)
            {
                var highText = range.Substring(dash + 1);
                if (!TryParseValue(highText, spec, out high, out problem))
                {
                    return false;
                }

                if (high < low)
                {
                    problem = $"range '{range}' is reversed; crontab ranges go from low to high (to wrap, list two ranges: '{lowText}-{spec.Max},{spec.Min}-{highText}')";
                    return false;
                }
            }
            else
            {
                // cronie reads "5/15" as "5-max/15"; a bare value is just itself.
                high = slash >= 0 ? spec.Max : low;
            }
        }

        for (var value = low; value <= high; value += step)
        {
            set[value] = true;
        }

        problem = null;
        return true;
    }

    private static bool TryParseValue(string text, FieldSpec spec, out int value, out string? problem)
    {
        problem = null;
        if (text.Length == 0)
        {
            value = 0;
            problem = "a range is missing a value";
            return false;
        }

        if (IsDigits(text))
        {
            // Beyond nine digits an int overflows; such a value is out of range anyway.
            if (text.Length > 9 || !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) || value < spec.Min || value > spec.Max)
            {
                value = 0;
                problem = $"'{text}' is out of range {spec.Min}-{spec.Max}";
                return false;
            }

            return true;
        }

        if (spec.Names is { } names)
        {
            for (var i = 0; i < names.Length; i++)
            {
                if (string.Equals(text, names[i], StringComparison.OrdinalIgnoreCase))
                {
                    value = i + spec.NameBase;
                    return true;
                }
            }
        }

        value = 0;
        if (IsQuartzLastOrWeekday(text))
        {
            problem = $"'{text}' uses 'L' or 'W' (last day, nearest weekday), which is Quartz cron syntax that crontab does not have";
        }
        else if (spec.Names is { } known)
        {
            problem = $"'{text}' is neither a number {spec.Min}-{spec.Max} nor a name {known[0]}-{known[known.Length - 1]}";
        }
        else
        {
            problem = $"'{text}' is not a number {spec.Min}-{spec.Max}";
        }

        return false;
    }

    // L, LW, L-3, 5L, 15W: Quartz's last-day and nearest-weekday forms.
    private static bool IsQuartzLastOrWeekday(string text)
    {
        var upper = text.ToUpperInvariant();
        if (upper == "L" || upper == "LW" || (upper.StartsWith("L-", StringComparison.Ordinal) && IsDigits(upper.Substring(2))))
        {
            return true;
        }

        var last = upper[upper.Length - 1];
        return upper.Length > 1 && (last == 'L' || last == 'W') && IsDigits(upper.Substring(0, upper.Length - 1));
    }

    private static bool IsDigits(string text)
    {
        if (text.Length == 0)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return true;
    }

    // "*" when every value from min to max is set, else runs as "a-b" and single values, comma separated, each
    // shifted by offset into Quartz's numbering.
    private static string Format(bool[] set, int min, int max, int offset)
    {
        var all = true;
        for (var v = min; v <= max; v++)
        {
            all &= set[v];
        }

        if (all)
        {
            return "*";
        }

        var text = new StringBuilder();
        for (var v = min; v <= max; v++)
        {
            if (!set[v])
            {
                continue;
            }

            var end = v;
            while (end < max && set[end + 1])
            {
                end++;
            }

            if (text.Length > 0)
            {
                text.Append(',');
            }

            text.Append((v + offset).ToString(CultureInfo.InvariantCulture));
            if (end > v)
            {
                text.Append('-').Append((end + offset).ToString(CultureInfo.InvariantCulture));
            }

            v = end;
        }

        return text.ToString();
    }

    private sealed class FieldSpec(string name, int min, int max, string[]? names, int nameBase)
    {
        public string Name { get; } = name;

        public int Min { get; } = min;

        public int Max { get; } = max;

        public string[]? Names { get; } = names;

        public int NameBase { get; } = nameBase;
    }
}

using Flows.Orchestration.Scheduling;

namespace Flows.Orchestration.Deployments;

/// <summary>One checked schedule: a parsed crontab in its zone, or an interval on its grid.</summary>
internal sealed class Schedule
{
    private Schedule(ScheduleSpec spec, CrontabExpression? crontab, TimeZoneInfo zone, TimeSpan every, DateTimeOffset anchor)
    {
        Spec = spec;
        Crontab = crontab;
        Zone = zone;
        Every = every;
        Anchor = anchor;
    }

    public ScheduleSpec Spec { get; }

    /// <summary>The crontab, or null for an interval.</summary>
    public CrontabExpression? Crontab { get; }

    public TimeZoneInfo Zone { get; }

    public TimeSpan Every { get; }

    public DateTimeOffset Anchor { get; }

    public static Schedule ForCron(ScheduleSpec spec, CrontabExpression crontab, TimeZoneInfo zone) =>
        new(spec, crontab, zone, TimeSpan.Zero, default);

    public static Schedule ForInterval(ScheduleSpec spec, TimeSpan every, DateTimeOffset anchor) =>
        new(spec, null, TimeZoneInfo.Utc, every, anchor);

    /// <summary>The first slot at or after <paramref name="time"/>.</summary>
    public DateTimeOffset? FirstAtOrAfter(DateTimeOffset time)
    {
        if (Crontab is not null)
        {
            return Crontab.NextAfter(time.AddTicks(-1), Zone);
        }

        // Whole ticks: a double holds 53 bits, and ticks since the anchor (the Unix epoch by default) need 56.
        var (steps, rest) = Math.DivRem((time - Anchor).Ticks, Every.Ticks);
        if (rest > 0)
        {
            steps++;
        }

        return Anchor + TimeSpan.FromTicks(Every.Ticks * steps);
    }

    /// <summary>The slots in [from, to), oldest first.</summary>
    public IEnumerable<DateTimeOffset> SlotsIn(DateTimeOffset from, DateTimeOffset to)
    {
        for (var slot = FirstAtOrAfter(from); slot is { } s && s < to; slot = Next(s))
        {
            yield return s;
        }
    }

    private DateTimeOffset? Next(DateTimeOffset slot) => Crontab is not null ? Crontab.NextAfter(slot, Zone) : slot + Every;
}

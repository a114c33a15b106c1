using Quartz;

namespace Flows.Orchestration.Running;

/// <summary>Slot arithmetic on a fired trigger's own schedule, for the catch-up policies.</summary>
internal static class SlotClock
{
    /// <summary>How far back the newest slot is looked for, widening until one is found: a per-second schedule needs a minute, a yearly one a year.</summary>
    private static readonly TimeSpan[] LookBacks =
    [
        TimeSpan.FromMinutes(1), TimeSpan.FromHours(1), TimeSpan.FromDays(1), TimeSpan.FromDays(8), TimeSpan.FromDays(32),
        TimeSpan.FromDays(367), TimeSpan.FromDays(3700),
    ];

    /// <summary>
    /// The newest slot of the trigger at or before <paramref name="time"/>: <paramref name="time"/> itself when it is a
    /// slot, else the slot a "fire once now" misfire stood in for.
    /// </summary>
    public static DateTimeOffset NewestAtOrBefore(ITrigger trigger, DateTimeOffset time)
    {
        if (trigger.GetFireTimeAfter(time.AddMilliseconds(-1)) == time)
        {
            return time;
        }

        foreach (var lookBack in LookBacks)
        {
            if (trigger.GetFireTimeAfter(time - lookBack) is { } slot && slot <= time)
            {
                while (trigger.GetFireTimeAfter(slot) is { } next && next <= time)
                {
                    slot = next;
                }

                return slot;
            }
        }

        return time;
    }

    /// <summary>How many slots of the trigger come after <paramref name="slot"/> and no later than <paramref name="now"/>, counting at most <paramref name="limit"/>.</summary>
    public static int CountNewer(ITrigger trigger, DateTimeOffset slot, DateTimeOffset now, int limit)
    {
        var count = 0;
        for (var next = trigger.GetFireTimeAfter(slot); count < limit && next is { } n && n <= now; next = trigger.GetFireTimeAfter(n))
        {
            count++;
        }

        return count;
    }
}

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
    public static DateTimeOffset NewestAtOrBefore(ITrigger trigger, DateTimeOffset time) =>
        IsSlot(trigger, time) ? time
        : NewestIn(trigger, DateTimeOffset.MinValue, time, 1, out _) is [var newest] ? newest
        : time;

    /// <summary>Whether <paramref name="time"/> is one of the trigger's slots (a "fire once now" misfire firing stands for a moment that is not).</summary>
    public static bool IsSlot(ITrigger trigger, DateTimeOffset time) => trigger.GetFireTimeAfter(time.AddMilliseconds(-1)) == time;

    /// <summary>
    /// The newest slots of the trigger after <paramref name="after"/> and at or before <paramref name="until"/>, at most
    /// <paramref name="limit"/>, oldest first; <paramref name="dropped"/> is the oldest slot in that span left out for the
    /// limit, or null. Looks back in widening windows, so a long span costs about as much as its newest slots.
    /// </summary>
    public static IReadOnlyList<DateTimeOffset> NewestIn(ITrigger trigger, DateTimeOffset after, DateTimeOffset until, int limit, out DateTimeOffset? dropped)
    {
        foreach (var lookBack in LookBacks)
        {
            var from = until - lookBack > after ? until - lookBack : after;
            var slots = new List<DateTimeOffset>();
            for (var next = trigger.GetFireTimeAfter(from); next is { } n && n <= until; next = trigger.GetFireTimeAfter(n))
            {
                slots.Add(n);
            }

            if (slots.Count >= limit || from == after)
            {
                var kept = slots.Skip(Math.Max(0, slots.Count - limit)).ToList();
                dropped = kept.Count > 0 && trigger.GetFireTimeAfter(after) is { } first && first < kept[0] ? first : null;
                return kept;
            }
        }

        dropped = null;
        return [];
    }
}

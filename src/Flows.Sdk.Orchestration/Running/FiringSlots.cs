using System.Globalization;
using Flows.Orchestration.Deployments;
using Flows.Orchestration.Logging;
using Microsoft.Extensions.Logging;
using Quartz;

namespace Flows.Orchestration.Running;

/// <summary>Which slots a firing of a deployment's trigger stands for, by its catch-up policy: what the job runs and what the schedule harness lists.</summary>
internal static class FiringSlots
{
    /// <summary>The slot a backfill trigger runs, or null for a schedule's trigger.</summary>
    public static DateTimeOffset? Backfill(IJobExecutionContext context) =>
        context.Trigger.JobDataMap.GetString(JobData.BackfillSlot) is { } text
            ? DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind)
            : null;

    /// <summary>The slots this firing runs, oldest first: usually one, none when the catch-up policy drops it, up to the catch-up limit for <see cref="CatchUp.All"/>.</summary>
    public static async Task<IReadOnlyList<DateTimeOffset>> OfAsync(IJobExecutionContext context, DeploymentDefinition definition, DateTimeOffset now, TimeSpan misfireThreshold, ILogger logger, CancellationToken cancellationToken)
    {
        if (Backfill(context) is { } backfill)
        {
            return [backfill];
        }

        // The slot is the time the trigger was scheduled for, never the moment it fired: every node and every retry of
        // one slot agrees on it, and so on its run id.
        var slot = context.ScheduledFireTimeUtc ?? context.FireTimeUtc;
        var threshold = context.Trigger.MisfireThreshold ?? misfireThreshold;
        switch (definition.CatchUp)
        {
            case CatchUp.Latest:
                // A "fire once now" misfire firing reports either the oldest missed slot or the moment it was rescheduled
                // to; either way the run is the newest slot that has come by now - of the whole deployment, so that its
                // several triggers (each misfired, each firing once) agree on one slot and the claim keeps one run.
                if (now - slot <= threshold)
                {
                    return [SlotClock.NewestAtOrBefore(context.Trigger, slot)];
                }

                var own = SlotClock.NewestAtOrBefore(context.Trigger, now);
                var triggers = await context.Scheduler.GetTriggersOfJob(context.JobDetail.Key, cancellationToken).ConfigureAwait(false);
                return [triggers.Where(t => string.Equals(t.Key.Group, JobData.Group, StringComparison.Ordinal))
                    .Select(t => SlotClock.NewestAtOrBefore(t, now))
                    .Where(s => s > own && s < now)
                    .DefaultIfEmpty(own)
                    .Max()];
            case CatchUp.All when SlotClock.IsSlot(context.Trigger, slot) && now - slot <= threshold:
                // On time, or late by less than the threshold: its own slot. (Slots an overlap policy dropped lie between
                // the previous firing and this one, and stay dropped.)
                return [slot];
            case CatchUp.All:
                // The trigger fires once for a whole outage ("fire once now", so an outage of a year of minutely slots is
                // one firing, not half a million); this firing runs the newest slots missed up to now, at most the limit.
                // Quartz reports the oldest missed slot as the firing's slot; were it the moment of rescheduling instead,
                // the span starts after the previous firing.
                var after = SlotClock.IsSlot(context.Trigger, slot) ? slot.AddTicks(-1) : context.PreviousFireTimeUtc ?? context.Trigger.StartTimeUtc.AddTicks(-1);
                var missed = SlotClock.NewestIn(context.Trigger, after, now, definition.CatchUpLimit, out var dropped);
                if (dropped is { } oldest)
                {
                    logger.CatchUpDropped(context.JobDetail.Key.Name, oldest, definition.CatchUpLimit);
                }

                return missed;
            default:
                return [slot];
        }
    }
}

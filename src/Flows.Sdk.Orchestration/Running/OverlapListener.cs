using Flows.Orchestration.Logging;
using Microsoft.Extensions.Logging;
using Quartz;

namespace Flows.Orchestration.Running;

/// <summary>Logs the slots Quartz's trigger overlap policy drops (<see cref="DeploymentOverlap.Skip"/>): the job never sees them, so nothing else would say so.</summary>
internal sealed class OverlapListener(ILogger logger) : ITriggerListener
{
    public string Name => "flows-overlap";

    public ValueTask TriggerSkipped(ITrigger trigger, IScheduler scheduler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        ArgumentNullException.ThrowIfNull(scheduler);
        // Quartz hands the trigger as it was when the firing was dropped: its next fire time is the dropped slot, which may
        // be older than the newest slot by now (a late firing).
        logger.OverlapSkipped(trigger.JobKey.Name, trigger.NextFireTimeUtc ?? SlotClock.NewestAtOrBefore(trigger, scheduler.TimeProvider.GetUtcNow()));
        return ValueTask.CompletedTask;
    }
}

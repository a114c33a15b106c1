using System.Globalization;
using System.Text.Json;
using Flows.Orchestration.Deployments;
using Flows.Orchestration.Logging;
using Flows.Runs;
using Microsoft.Extensions.Logging;
using Quartz;

namespace Flows.Orchestration.Running;

/// <summary>
/// A firing of a deployment's trigger: works out the slot it stands for, creates the slot's run Scheduled in the run
/// store unless it exists, then starts it on the host's engine with the firing's cancellation token. Starting claims the
/// run, so a slot's run that exists but never started (its creator stopped first) runs once when the slot fires again,
/// and a duplicate fire of a slot whose run started runs nothing.
/// </summary>
// Not sealed: QueuedDeploymentJob adds [DisallowConcurrentExecution], which Quartz reads from the job's class.
internal class DeploymentJob(FlowEngine engine, RunningDeployments running, ILogger logger, TimeSpan misfireThreshold) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var name = context.JobDetail.Key.Name;
        var definition = DeploymentDefinition.Read(context.JobDetail.JobDataMap.GetString(JobData.Definition)!);
        var now = engine.TimeProvider.GetUtcNow();
        var backfillSlot = context.Trigger.JobDataMap.GetString(JobData.BackfillSlot) is { } text
            ? DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind)
            : (DateTimeOffset?)null;

        if (!TrySlot(context, definition, name, backfillSlot, now, out var slot))
        {
            return;
        }

        // Quartz's trigger overlap policy sees only the trigger's own firings; a deployment with several triggers
        // (several schedules, or a crontab that needs two) is held to its policy across them here. A backfill runs its
        // past slots as capacity allows: the policy is about the schedule's own slots.
        var overlap = backfillSlot is null ? definition.Overlap : DeploymentOverlap.Allow;
        if (overlap == DeploymentOverlap.Skip && running.IsRunning(name))
        {
            logger.OverlapSkipped(name, slot);
            return;
        }

        if (overlap == DeploymentOverlap.CancelRunning && running.Cancel(name) is > 0 and var cancelled)
        {
            logger.OverlapCancelled(name, slot, cancelled);
        }

        var parameters = definition.Parameters.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var start = new RunStart
        {
            RunId = SlotRunIds.For(name, slot),
            Deployment = name,
            ScheduledFor = slot,
            // A backfill runs past slots on purpose: late by design, not Late.
            LateAfter = backfillSlot is null ? definition.LateAfter : null,
            Tags = definition.Tags,
        };

        using var lease = running.Begin(name, slot, cancellationToken);
        try
        {
            if (await engine.TryScheduleRunAsync(definition.Flow, parameters, start, lease.Token).ConfigureAwait(false) is not null)
            {
                logger.Fired(name, slot, definition.Flow, start.RunId!.Value);
                if (backfillSlot is null && now - slot > definition.LateAfter)
                {
                    logger.Late(name, slot, now - slot, definition.LateAfter, start.RunId!.Value);
                }
            }
            else if (await engine.Store.GetRunAsync(start.RunId!.Value, lease.Token).ConfigureAwait(false) is not { State: RunState.Scheduled or RunState.Late })
            {
                logger.Duplicate(name, slot, start.RunId!.Value);
                return;
            }

            // The slot's run exists and has not started: its creator stopped before starting it (a recovered slot, fired
            // again), or another firing of the slot is about to. Starting is a claim, so of those exactly one runs it.
            await engine.RunAsync(definition.Flow, parameters, start, lease.Token).ConfigureAwait(false);
        }
        catch (RunAlreadyStartedException)
        {
            logger.Duplicate(name, slot, start.RunId!.Value);
        }
        catch (FlowRunRejectedException ex)
        {
            logger.Rejected(name, slot, ex.Message);
        }
        catch (OperationCanceledException) when (lease.Token.IsCancellationRequested)
        {
            // Cancelled by shutdown or by the overlap policy; the run records it.
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or JsonException or Flows.Stores.RunStoreException)
        {
            // Quartz would only log it and re-fire nothing; say which deployment and slot.
            logger.NotStarted(ex, name, slot);
        }
    }

    /// <summary>The slot this firing runs, or false when the catch-up policy drops it.</summary>
    private bool TrySlot(IJobExecutionContext context, DeploymentDefinition definition, string name, DateTimeOffset? backfillSlot, DateTimeOffset now, out DateTimeOffset slot)
    {
        if (backfillSlot is { } backfill)
        {
            slot = backfill;
            return true;
        }

        // The slot is the time the trigger was scheduled for, never the moment it fired: every node and every retry of
        // one slot agrees on it, and so on its run id.
        slot = context.ScheduledFireTimeUtc ?? context.FireTimeUtc;
        switch (definition.CatchUp)
        {
            case CatchUp.Latest:
                // A "fire once now" misfire firing reports either the oldest missed slot or the moment it was rescheduled
                // to; either way the run is the newest slot that has come by now.
                var threshold = context.Trigger.MisfireThreshold ?? misfireThreshold;
                slot = SlotClock.NewestAtOrBefore(context.Trigger, now - slot > threshold ? now : slot);
                return true;
            case CatchUp.All when SlotClock.CountNewer(context.Trigger, slot, now, definition.CatchUpLimit) >= definition.CatchUpLimit:
                if (running.StartsDropBurst(name, now, misfireThreshold))
                {
                    logger.CatchUpDropped(name, slot, definition.CatchUpLimit);
                }

                return false;
            default:
                return true;
        }
    }
}

/// <summary>A deployment whose overlap policy is <see cref="DeploymentOverlap.Queue"/>: Quartz runs one firing of its job at a time, across its triggers and across a cluster.</summary>
[DisallowConcurrentExecution]
internal sealed class QueuedDeploymentJob(FlowEngine engine, RunningDeployments running, ILogger logger, TimeSpan misfireThreshold)
    : DeploymentJob(engine, running, logger, misfireThreshold);

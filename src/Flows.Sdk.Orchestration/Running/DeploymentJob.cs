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
        var backfillSlot = FiringSlots.Backfill(context);
        if (context.Recovering)
        {
            // Quartz re-fires the slot of a node that stopped checking in, under a recovery trigger of its own: the slot
            // is the one the original firing was for, and its run may be in progress there still.
            var slot = backfillSlot ?? context.ScheduledFireTimeUtc ?? context.FireTimeUtc;
            var runId = SlotRunIds.For(name, slot);
            var recovering = new RecoveringFiring(engine, logger);
            switch (await recovering.JudgeAsync(runId, $"deployment {name} slot {slot:O}", cancellationToken).ConfigureAwait(false))
            {
                case RecoveryVerdict.NotStarted:
                    await RunSlotAsync(definition, name, backfillSlot, now, slot, cancellationToken).ConfigureAwait(false);
                    break;
                case RecoveryVerdict.Crashed:
                    using (var lease = running.TryBegin(runId, name, slot, backfillSlot is not null, cancellationToken))
                    {
                        if (lease is not null)
                        {
                            await recovering.RetryAsync(runId, $"deployment {name} slot {slot:O}", lease.Token).ConfigureAwait(false);
                        }
                    }

                    break;
            }

            return;
        }

        // Catch-up of several missed slots runs them one after another, oldest first, in this one firing.
        foreach (var slot in await FiringSlots.OfAsync(context, definition, now, misfireThreshold, logger, cancellationToken).ConfigureAwait(false))
        {
            // Once shutdown has begun no more slots start (RunSlotAsync refuses each); the rest are left to the next start.
            await RunSlotAsync(definition, name, backfillSlot, now, slot, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Claims the slot's run and runs it, held to the deployment's overlap policy; nothing once shutdown has begun.</summary>
    private async Task RunSlotAsync(DeploymentDefinition definition, string name, DateTimeOffset? backfillSlot, DateTimeOffset now, DateTimeOffset slot, CancellationToken cancellationToken)
    {
        // Quartz's trigger overlap policy sees only the trigger's own firings; a deployment with several triggers
        // (several schedules, or a crontab that needs two) is held to its policy across them here, against the runs of
        // its other slots only: a second firing of this slot (two triggers due at once) is a duplicate, which the claim
        // turns away. A backfill runs its past slots as capacity allows, and no schedule run counts its runs: the policy
        // is about the schedule's own slots.
        var overlap = backfillSlot is null ? definition.Overlap : DeploymentOverlap.Allow;
        if (overlap == DeploymentOverlap.Skip && running.IsRunningOtherSlot(name, slot))
        {
            logger.OverlapSkipped(name, slot);
            return;
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

        // Shutdown has begun: the slot is left unclaimed, for the catch-up policy of the next start.
        using var lease = running.TryBegin(start.RunId!.Value, name, slot, backfillSlot is not null, cancellationToken);
        if (lease is null)
        {
            return;
        }

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
            // Cancelling for the overlap policy only touches other slots' runs: a duplicate firing must not cancel the run it duplicates.
            if (overlap == DeploymentOverlap.CancelRunning && running.CancelOtherSlots(name, slot) is > 0 and var cancelled)
            {
                logger.OverlapCancelled(name, slot, cancelled);
            }

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
}

/// <summary>A deployment whose overlap policy is <see cref="DeploymentOverlap.Queue"/>: Quartz runs one firing of its job at a time, across its triggers and across a cluster.</summary>
[DisallowConcurrentExecution]
internal sealed class QueuedDeploymentJob(FlowEngine engine, RunningDeployments running, ILogger logger, TimeSpan misfireThreshold)
    : DeploymentJob(engine, running, logger, misfireThreshold);

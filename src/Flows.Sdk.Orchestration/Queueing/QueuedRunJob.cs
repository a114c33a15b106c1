using System.Text.Json;
using Flows.Orchestration.Logging;
using Flows.Orchestration.Running;
using Flows.Runs;
using Microsoft.Extensions.Logging;
using Quartz;

namespace Flows.Orchestration.Queueing;

/// <summary>
/// A firing of a queued run's job: claims the run (created <c>Scheduled</c> when it was queued) and runs it on this
/// process's engine, tracked with the other runs of this process so shutdown's grace and cancellation reach it. A
/// duplicate firing finds the run started and runs nothing; a firing Quartz recovers from a node that stopped checking
/// in asks the run store whether that node is gone (<see cref="RecoveringFiring"/>).
/// </summary>
internal sealed class QueuedRunJob(FlowEngine engine, RunningDeployments running, ILogger logger) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var data = context.JobDetail.JobDataMap;
        var runId = QueuedRuns.RunIdOf(context.JobDetail.Key) ?? throw new InvalidOperationException($"Job {context.JobDetail.Key} is not a queued run's.");
        var flow = data.GetString(QueuedRuns.Flow)!;
        var queue = data.GetString(QueuedRuns.Queue) ?? OrchestrationOptions.DefaultQueue;
        var deployment = data.GetString(QueuedRuns.Deployment);
        var firing = $"queued run of flow {flow} in queue {queue}";

        var recovering = new RecoveringFiring(engine, logger);
        var verdict = context.Recovering ? await recovering.JudgeAsync(runId, firing, cancellationToken).ConfigureAwait(false) : RecoveryVerdict.NotStarted;
        if (verdict is RecoveryVerdict.Ended or RecoveryVerdict.Alive)
        {
            return;
        }

        using var lease = running.TryBegin(runId, deployment, null, backfill: true, cancellationToken);
        if (lease is null)
        {
            // Shutdown has begun between the firing and here: the run is left for another replica (or the next start)
            // under a new trigger, since this one is spent and the job would go with it.
            await context.Scheduler.ScheduleJob(QueuedRuns.Trigger(runId, queue, engine.TimeProvider, putBack: true), new ScheduleJobOptions(), CancellationToken.None).ConfigureAwait(false);
            logger.QueuedPutBack(runId, flow, queue);
            return;
        }

        try
        {
            if (verdict == RecoveryVerdict.Crashed)
            {
                await recovering.RetryAsync(runId, firing, lease.Token).ConfigureAwait(false);
                return;
            }

            var parameters = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(data.GetString(QueuedRuns.Parameters) ?? "{}");
            logger.QueuedStarting(runId, flow, queue);
            var start = new RunStart { RunId = runId, Deployment = deployment, Tags = [QueuedRuns.Tag(queue)] };
            var run = await StartWhenTheStoreAnswersAsync(() => engine.RunAsync(flow, parameters, start, lease.Token), lease.Token).ConfigureAwait(false);
            logger.QueuedEnded(runId, flow, queue, run.State);
        }
        catch (RunAlreadyStartedException ex)
        {
            logger.QueuedDuplicate(runId, flow, ex.State);
        }
        catch (FlowRunRejectedException ex)
        {
            logger.QueuedRejected(runId, flow, ex.Message);
        }
        catch (OperationCanceledException) when (lease.Token.IsCancellationRequested)
        {
            // Cancelled by a request, or by shutdown after its grace; the run records it.
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or JsonException or Flows.Stores.RunStoreException)
        {
            // Quartz would only log it; say which run and flow (an unknown flow: this replica runs another build).
            logger.QueuedNotStarted(ex, runId, flow, queue);
            if (ex is ArgumentException)
            {
                // The flow or its parameters do not bind here, before anything started: its job is spent, so the run
                // would wait Scheduled for ever. It ends Cancelled, saying why (a store failure leaves it to recovery).
                await engine.TryCancelScheduledRunAsync(runId, $"Not started by the replica that took it from queue {queue}: {ex.Message}", CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Starts the run, asking again while the run store cannot be reached. The firing has taken the run's one-shot job,
    /// so giving up on a store that went away between the firing and the claim would leave the run Scheduled for
    /// ever; the outage itself is logged by the store's other users (the recorder, the cluster signals).
    /// </summary>
    private async Task<Flows.Runs.RunRecord> StartWhenTheStoreAnswersAsync(Func<Task<Flows.Runs.RunRecord>> start, CancellationToken cancellationToken)
    {
        var pause = TimeSpan.FromMilliseconds(250);
        while (true)
        {
            try
            {
                return await start().ConfigureAwait(false);
            }
            catch (Exception ex) when (engine.Store.IsTransient(ex) && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(pause, engine.TimeProvider, cancellationToken).ConfigureAwait(false);
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }
}

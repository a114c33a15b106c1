using Flows.Orchestration.Logging;
using Flows.Runs;
using Flows.Stores;
using Microsoft.Extensions.Logging;

namespace Flows.Orchestration.Running;

/// <summary>What a recovering firing finds about its run (<see cref="RecoveringFiring.JudgeAsync"/>).</summary>
internal enum RecoveryVerdict
{
    /// <summary>The run never started (or does not exist yet): the firing runs it as any firing would.</summary>
    NotStarted,

    /// <summary>The run is <c>Crashed</c>: the firing starts its next attempt, as the flow's retry policy allows.</summary>
    Crashed,

    /// <summary>The run ended: nothing to do.</summary>
    Ended,

    /// <summary>The process running it is alive (it beats in the run store): the firing is a duplicate and does nothing.</summary>
    Alive,
}

/// <summary>
/// Judges a firing Quartz re-executes because the node running it stopped checking in. Quartz only proposes that the
/// node died; the run store decides: its owner heartbeats are the one notion of a live process. The store is asked to
/// sweep for lapsed owners every heartbeat interval until the run is <c>Crashed</c>, or until the owner's timeout and
/// two more intervals have passed without a verdict - then the owner beat again, and the run goes on where it is.
/// </summary>
internal sealed class RecoveringFiring(FlowEngine engine, ILogger logger)
{
    public async Task<RecoveryVerdict> JudgeAsync(Guid runId, string firing, CancellationToken cancellationToken)
    {
        var store = engine.Store;
        var run = await store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false);
        if (run is null || run.State is RunState.Scheduled or RunState.Late)
        {
            logger.RecoveringNotStarted(firing, runId);
            return RecoveryVerdict.NotStarted;
        }

        if (!run.State.IsFinal() && store is IRunOwners owners)
        {
            var time = engine.TimeProvider;
            var deadline = time.GetUtcNow() + owners.HeartbeatTimeout + (2 * owners.HeartbeatInterval);
            while (true)
            {
                await owners.MarkCrashedRunsAsync(cancellationToken).ConfigureAwait(false);
                run = await store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false);
                if (run is null || run.State.IsFinal() || time.GetUtcNow() >= deadline)
                {
                    break;
                }

                await Task.Delay(owners.HeartbeatInterval, time, cancellationToken).ConfigureAwait(false);
            }
        }

        switch (run?.State)
        {
            case RunState.Crashed:
                return RecoveryVerdict.Crashed;
            case { } state when state.IsFinal():
                logger.RecoveringEnded(firing, runId, state);
                return RecoveryVerdict.Ended;
            default:
                logger.RecoveringAlive(firing, runId);
                return RecoveryVerdict.Alive;
        }
    }

    /// <summary>Starts the next attempt of a <c>Crashed</c> run on this engine, as its flow's retry policy allows; logs what came of it.</summary>
    public async Task RetryAsync(Guid runId, string firing, CancellationToken cancellationToken)
    {
        var retried = await engine.TryRetryCrashedRunAsync(runId, cancellationToken).ConfigureAwait(false);
        if (retried is null)
        {
            logger.CrashedNotRetried(firing, runId);
        }
        else
        {
            logger.CrashedRetried(firing, runId, retried.Attempt, retried.State);
        }
    }
}

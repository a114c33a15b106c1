using Flows.Runs;

namespace Flows.Stores;

/// <summary>Queries composed from <see cref="IRunStore"/>'s own, the same for every store.</summary>
public static class RunStoreExtensions
{
    /// <summary>One run with its task runs, subflows, transitions, logs and artifacts; null when there is no such run.</summary>
    public static async Task<RunDetails?> GetRunDetailsAsync(this IRunStore store, Guid runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (await store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false) is not { } run)
        {
            return null;
        }

        IReadOnlyList<RunRecord> taskRuns = [];
        IReadOnlyList<RunRecord> subflows = [];
        if (run.Kind == RunKind.Flow)
        {
            taskRuns = await store.QueryRunsAsync(new RunQuery { FlowRunId = runId, Kind = RunKind.Task, Limit = int.MaxValue }, cancellationToken).ConfigureAwait(false);
            subflows = await store.QueryRunsAsync(new RunQuery { ParentRunId = runId, Kind = RunKind.Flow, Limit = int.MaxValue }, cancellationToken).ConfigureAwait(false);
        }

        return new RunDetails(
            run,
            [.. taskRuns.Reverse()],
            [.. subflows.Reverse()],
            await store.GetTransitionsAsync(runId, cancellationToken).ConfigureAwait(false),
            await store.GetLogsAsync(runId, cancellationToken).ConfigureAwait(false),
            await store.GetArtifactsAsync(runId, cancellationToken).ConfigureAwait(false));
    }
}

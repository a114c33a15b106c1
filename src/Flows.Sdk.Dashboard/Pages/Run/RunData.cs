using Flows.Dashboard.Hosting;
using Flows.Runs;
using Flows.Stores;

namespace Flows.Dashboard.Pages.Run;

/// <summary>
/// What a run's page reads from the store, each through <see cref="QuerySharing"/> keyed by the run, so the page's live
/// regions and every other viewer of the same run share one query per refresh.
/// </summary>
internal sealed class RunData(DashboardContext context, Guid id)
{
    /// <summary>The most task runs the tree and the timeline show; the page says when there are more.</summary>
    public const int MaxTaskRuns = 500;

    public Guid Id => id;

    public Task<RunRecord?> RunAsync() =>
        context.Sharing.GetAsync($"run:{id}", ct => context.Store.GetRunAsync(id, ct).AsTask(), context.Aborted);

    /// <summary>The run's task runs (oldest first) and subflows, at most <see cref="MaxTaskRuns"/> + 1 task runs (one more says there are more).</summary>
    public Task<RunChildren> ChildrenAsync() =>
        context.Sharing.GetAsync($"run-children:{id}", async ct =>
        {
            var tasks = await context.Store.QueryRunsAsync(new RunQuery { FlowRunId = id, Kind = RunKind.Task, Limit = MaxTaskRuns + 1 }, ct).ConfigureAwait(false);
            var subflows = await context.Store.QueryRunsAsync(new RunQuery { ParentRunId = id, Kind = RunKind.Flow, Limit = MaxTaskRuns }, ct).ConfigureAwait(false);
            var shown = tasks.Count > MaxTaskRuns ? tasks.Skip(tasks.Count - MaxTaskRuns) : tasks;
            return new RunChildren([.. shown.Reverse()], [.. subflows.Reverse()], tasks.Count > MaxTaskRuns);
        }, context.Aborted);

    /// <summary>A run's transitions, oldest first.</summary>
    public Task<IReadOnlyList<StateTransition>> TransitionsAsync(Guid runId) =>
        context.Sharing.GetAsync($"run-transitions:{runId}", ct => context.Store.GetTransitionsAsync(runId, ct).AsTask(), context.Aborted);

    public Task<IReadOnlyList<RunLogEntry>> LogsAsync() =>
        context.Sharing.GetAsync($"run-logs:{id}", ct => context.Store.GetLogsAsync(id, ct).AsTask(), context.Aborted);

    public Task<IReadOnlyList<RunArtifact>> ArtifactsAsync() =>
        context.Sharing.GetAsync($"run-artifacts:{id}", ct => context.Store.GetArtifactsAsync(id, ct).AsTask(), context.Aborted);

    /// <summary>The notifications about the run, oldest first; none from a store that does not record them.</summary>
    public Task<IReadOnlyList<NotificationRecord>> NotificationsAsync() =>
        context.Store is INotificationStore notifications
            ? context.Sharing.GetAsync($"run-notifications:{id}", ct => notifications.GetNotificationsAsync(id, ct), context.Aborted)
            : Task.FromResult<IReadOnlyList<NotificationRecord>>([]);
}

/// <summary>A flow run's task runs and subflows, oldest first.</summary>
/// <param name="Tasks">Its task runs (the newest <see cref="RunData.MaxTaskRuns"/>).</param>
/// <param name="Subflows">The flow runs it started.</param>
/// <param name="More">True when it has more task runs than shown.</param>
internal sealed record RunChildren(IReadOnlyList<RunRecord> Tasks, IReadOnlyList<RunRecord> Subflows, bool More);

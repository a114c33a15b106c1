using Flows.Runs;

namespace Flows.Stores;

/// <summary>A filter over runs. Unset members match everything; results are newest first.</summary>
public sealed record RunQuery
{
    /// <summary>Only flow runs or only task runs.</summary>
    public RunKind? Kind { get; init; }

    /// <summary>Only runs of this flow or task name.</summary>
    public string? Name { get; init; }

    /// <summary>Only runs in this state.</summary>
    public RunState? State { get; init; }

    /// <summary>Only runs started by this deployment (see <see cref="RunRecord.Deployment"/>).</summary>
    public string? Deployment { get; init; }

    /// <summary>Only runs carrying this tag (one of <see cref="RunRecord.Tags"/>, compared exactly, case included).</summary>
    public string? Tag { get; init; }

    /// <summary>Only runs started by this run.</summary>
    public Guid? ParentRunId { get; init; }

    /// <summary>Only runs belonging to this flow run.</summary>
    public Guid? FlowRunId { get; init; }

    /// <summary>Only runs created at or after this time.</summary>
    public DateTimeOffset? CreatedAfter { get; init; }

    /// <summary>Only runs created before this time.</summary>
    public DateTimeOffset? CreatedBefore { get; init; }

    /// <summary>
    /// Only runs that ended (reached a final state) at or after this time: a run not ended yet never matches. With a
    /// watermark, a reader finds the runs that ended since it last looked.
    /// </summary>
    public DateTimeOffset? EndedAfter { get; init; }

    /// <summary>
    /// Continue after the page that returned this token (<see cref="RunPage.NextPageToken"/> of
    /// <see cref="IRunStore.QueryRunPageAsync"/>); null for the first page. Opaque: only the store that issued it reads it.
    /// <see cref="IRunStore.QueryRunsAsync"/> ignores it.
    /// </summary>
    public string? PageToken { get; init; }

    /// <summary>
    /// Runs to skip, for paging. Slower than <see cref="PageToken"/> on big histories: the database walks past every
    /// skipped run.
    /// </summary>
    public int Offset { get; init; }

    /// <summary>The most runs to return.</summary>
    public int Limit { get; init; } = 100;

    internal bool Matches(RunRecord run) =>
        (Kind is null || run.Kind == Kind)
        && (Name is null || string.Equals(run.Name, Name, StringComparison.Ordinal))
        && (State is null || run.State == State)
        && (Deployment is null || string.Equals(run.Deployment, Deployment, StringComparison.Ordinal))
        && (Tag is null || run.Tags.Contains(Tag, StringComparer.Ordinal))
        && (ParentRunId is null || run.ParentRunId == ParentRunId)
        && (FlowRunId is null || run.FlowRunId == FlowRunId)
        && (CreatedAfter is null || run.CreatedAt >= CreatedAfter)
        && (CreatedBefore is null || run.CreatedAt < CreatedBefore)
        && (EndedAfter is null || (run.EndedAt is { } ended && ended >= EndedAfter));
}

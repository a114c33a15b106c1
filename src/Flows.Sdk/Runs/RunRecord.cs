namespace Flows.Runs;

/// <summary>A snapshot of one flow run or task run as recorded in the run store.</summary>
public sealed record RunRecord
{
    /// <summary>The run's id (a version 7 GUID, so ids sort by creation time).</summary>
    public required Guid Id { get; init; }

    /// <summary>Flow or task.</summary>
    public required RunKind Kind { get; init; }

    /// <summary>The flow or task name.</summary>
    public required string Name { get; init; }

    /// <summary>The flow run this run belongs to: its own id for a top-level flow run, null for a task run outside any flow.</summary>
    public Guid? FlowRunId { get; init; }

    /// <summary>The run that started this one: the calling flow run for task runs and subflows, null at the top.</summary>
    public Guid? ParentRunId { get; init; }

    /// <summary>The current state.</summary>
    public required RunState State { get; init; }

    /// <summary>The attempt in progress or last made, from 1.</summary>
    public int Attempt { get; init; }

    /// <summary>The arguments as JSON with secrets masked (flow runs only).</summary>
    public string? Parameters { get; init; }

    /// <summary>The result as JSON, when the run completed with a serialisable result.</summary>
    public string? Result { get; init; }

    /// <summary>The cache key of a task run whose task caches its results; a run in state <see cref="RunState.Cached"/> took its result from the entry with this key.</summary>
    public string? CacheKey { get; init; }

    /// <summary>The failure, as exception type and message, for runs that did not succeed.</summary>
    public string? Error { get; init; }

    /// <summary>The tags from the method's options.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>The version label from the method's options.</summary>
    public string? Version { get; init; }

    /// <summary>The deployment that started the run (a schedule, or a run of a deployment asked for by name); null for a run started by code.</summary>
    public string? Deployment { get; init; }

    /// <summary>The slot the run was scheduled for, when a schedule created it; compare with <see cref="StartedAt"/> for its lateness.</summary>
    public DateTimeOffset? ScheduledFor { get; init; }

    /// <summary>When the run was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When its first attempt started.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When it reached a final state.</summary>
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>Time from start to end, once both are known.</summary>
    public TimeSpan? Duration => StartedAt is { } s && EndedAt is { } e ? e - s : null;
}

namespace Flows.Stores;

/// <summary>What <see cref="IRunStore.PruneAsync"/> deletes: flow runs that ended before a time, with everything of theirs.</summary>
public sealed record PruneRequest
{
    /// <summary>
    /// Flow runs that ended before this time are deleted (with their task runs, subflows, transitions, log lines and
    /// artifacts). Runs in progress, Scheduled or Late are never deleted, however old.
    /// </summary>
    public required DateTimeOffset EndedBefore { get; init; }

    /// <summary>When true, Failed, Crashed and TimedOut flow runs are kept; only Completed and Cancelled ones are deleted.</summary>
    public bool KeepFailed { get; init; }

    /// <summary>Flow runs deleted per transaction, so a big prune never holds writers back for long. Defaults to 500.</summary>
    public int BatchSize { get; init; } = 500;
}

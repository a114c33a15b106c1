namespace Flows.Stores;

/// <summary>
/// Where runs, their state transitions and their log lines are kept. The engine writes through it and the
/// command line, tests and dashboards read from it. Implementations must be safe for concurrent use.
/// </summary>
public interface IRunStore
{
    /// <summary>Inserts a run or replaces the stored snapshot of it.</summary>
    ValueTask SaveRunAsync(RunRecord run, CancellationToken cancellationToken = default);

    /// <summary>Appends state transitions.</summary>
    ValueTask AddTransitionsAsync(IReadOnlyList<StateTransition> transitions, CancellationToken cancellationToken = default);

    /// <summary>Appends log lines.</summary>
    ValueTask AddLogsAsync(IReadOnlyList<RunLogEntry> entries, CancellationToken cancellationToken = default);

    /// <summary>One run by id, or null.</summary>
    ValueTask<RunRecord?> GetRunAsync(Guid runId, CancellationToken cancellationToken = default);

    /// <summary>Runs matching a query, newest first.</summary>
    ValueTask<IReadOnlyList<RunRecord>> QueryRunsAsync(RunQuery query, CancellationToken cancellationToken = default);

    /// <summary>A run's transitions in the order they happened.</summary>
    ValueTask<IReadOnlyList<StateTransition>> GetTransitionsAsync(Guid runId, CancellationToken cancellationToken = default);

    /// <summary>Log lines of a run in the order they were written; for a flow run, also those of its task runs.</summary>
    ValueTask<IReadOnlyList<RunLogEntry>> GetLogsAsync(Guid runId, CancellationToken cancellationToken = default);
}

using Flows;
using Flows.Stores;

namespace Flows.Benchmarks;

/// <summary>
/// A store that keeps nothing and counts what it was given. The in-memory store keeps every run by design, so it
/// would hide what the engine itself retains; with this one, memory left after a flow is the engine's alone.
/// </summary>
public sealed class CountingRunStore : IRunStore
{
    private long _runs;
    private long _transitions;
    private long _logs;

    public long Runs => Interlocked.Read(ref _runs);

    public long Transitions => Interlocked.Read(ref _transitions);

    public long Logs => Interlocked.Read(ref _logs);

    public ValueTask SaveRunAsync(RunRecord run, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _runs);
        return default;
    }

    public ValueTask AddTransitionsAsync(IReadOnlyList<StateTransition> transitions, CancellationToken cancellationToken = default)
    {
        Interlocked.Add(ref _transitions, transitions.Count);
        return default;
    }

    public ValueTask AddLogsAsync(IReadOnlyList<RunLogEntry> entries, CancellationToken cancellationToken = default)
    {
        Interlocked.Add(ref _logs, entries.Count);
        return default;
    }

    // A finished flow run is looked up by RunAsync only; these benchmarks call flows directly.
    public ValueTask<RunRecord?> GetRunAsync(Guid runId, CancellationToken cancellationToken = default) => new((RunRecord?)null);

    public ValueTask<IReadOnlyList<RunRecord>> QueryRunsAsync(RunQuery query, CancellationToken cancellationToken = default) => new([]);

    public ValueTask<IReadOnlyList<StateTransition>> GetTransitionsAsync(Guid runId, CancellationToken cancellationToken = default) => new([]);

    public ValueTask<IReadOnlyList<RunLogEntry>> GetLogsAsync(Guid runId, CancellationToken cancellationToken = default) => new([]);
}

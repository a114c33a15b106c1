using Flows;
using Flows.Runs;
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

    // Takes batches on the writer's thread, as a durable store would, but keeps only counts.
    public ValueTask WriteAsync(RunWriteBatch batch, CancellationToken cancellationToken = default)
    {
        Interlocked.Add(ref _runs, batch.Runs.Count);
        Interlocked.Add(ref _transitions, batch.Transitions.Count);
        Interlocked.Add(ref _logs, batch.Logs.Count);
        return default;
    }

    // A finished flow run is looked up by RunAsync only; these benchmarks call flows directly.
    public ValueTask<RunRecord?> GetRunAsync(Guid runId, CancellationToken cancellationToken = default) => new((RunRecord?)null);

    public ValueTask<IReadOnlyList<RunRecord>> QueryRunsAsync(RunQuery query, CancellationToken cancellationToken = default) => new([]);

    public ValueTask<IReadOnlyList<StateTransition>> GetTransitionsAsync(Guid runId, CancellationToken cancellationToken = default) => new([]);

    public ValueTask<IReadOnlyList<RunLogEntry>> GetLogsAsync(Guid runId, CancellationToken cancellationToken = default) => new([]);

    public ValueTask<IReadOnlyList<RunArtifact>> GetArtifactsAsync(Guid runId, CancellationToken cancellationToken = default) => new([]);

    public ValueTask<CacheEntry?> GetCacheEntryAsync(string key, CancellationToken cancellationToken = default) => new((CacheEntry?)null);
}

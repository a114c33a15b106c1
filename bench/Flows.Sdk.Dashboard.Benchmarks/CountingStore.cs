using System.Collections.Concurrent;
using Flows.Runs;
using Flows.Stores;

namespace Flows.Dashboard.Benchmarks;

/// <summary>A store that counts the queries asked of it, by method, and passes everything to the real one.</summary>
internal sealed class CountingStore(IRunStore inner) : IRunStore
{
    private readonly ConcurrentDictionary<string, int> _queries = new(StringComparer.Ordinal);

    public IRunStore Inner => inner;

    /// <summary>Queries asked so far, by method name.</summary>
    public IReadOnlyDictionary<string, int> Queries => _queries;

    public void Reset() => _queries.Clear();

    public bool WritesInline => inner.WritesInline;

    public ValueTask OpenAsync(CancellationToken cancellationToken = default) => inner.OpenAsync(cancellationToken);

    public bool IsTransient(Exception exception) => inner.IsTransient(exception);

    public ValueTask WriteAsync(RunWriteBatch batch, CancellationToken cancellationToken = default) => inner.WriteAsync(batch, cancellationToken);

    public ValueTask<RunRecord?> GetRunAsync(Guid runId, CancellationToken cancellationToken = default) =>
        Count(nameof(GetRunAsync), inner.GetRunAsync(runId, cancellationToken));

    public ValueTask<IReadOnlyList<RunRecord>> QueryRunsAsync(RunQuery query, CancellationToken cancellationToken = default) =>
        Count(nameof(QueryRunsAsync), inner.QueryRunsAsync(query, cancellationToken));

    public ValueTask<RunPage> QueryRunPageAsync(RunQuery query, CancellationToken cancellationToken = default) =>
        Count(nameof(QueryRunPageAsync), inner.QueryRunPageAsync(query, cancellationToken));

    public ValueTask<RunStatistics> GetRunStatisticsAsync(RunStatisticsQuery query, CancellationToken cancellationToken = default) =>
        Count(nameof(GetRunStatisticsAsync), inner.GetRunStatisticsAsync(query, cancellationToken));

    public ValueTask<IReadOnlyList<StateTransition>> GetTransitionsAsync(Guid runId, CancellationToken cancellationToken = default) =>
        Count(nameof(GetTransitionsAsync), inner.GetTransitionsAsync(runId, cancellationToken));

    public ValueTask<IReadOnlyList<RunLogEntry>> GetLogsAsync(Guid runId, CancellationToken cancellationToken = default) =>
        Count(nameof(GetLogsAsync), inner.GetLogsAsync(runId, cancellationToken));

    public ValueTask<IReadOnlyList<RunArtifact>> GetArtifactsAsync(Guid runId, CancellationToken cancellationToken = default) =>
        Count(nameof(GetArtifactsAsync), inner.GetArtifactsAsync(runId, cancellationToken));

    public ValueTask<CacheEntry?> GetCacheEntryAsync(string key, CancellationToken cancellationToken = default) =>
        Count(nameof(GetCacheEntryAsync), inner.GetCacheEntryAsync(key, cancellationToken));

    private ValueTask<T> Count<T>(string method, ValueTask<T> query)
    {
        _queries.AddOrUpdate(method, 1, (_, n) => n + 1);
        return query;
    }
}

using System.Collections.Concurrent;

namespace Flows.Stores;

/// <summary>
/// A run store that keeps everything in process memory: for tests and for short scripts whose history need not
/// outlive the process. Every operation completes synchronously. Runs of an engine writing to it are kept as the
/// live runs themselves and read when queried, so recording a run's states costs no copies.
/// </summary>
public sealed class InMemoryRunStore : IRunStore
{
    // Each run keeps the sequence number of its first save, so runs created in the same clock tick keep their order.
    // A run is a RunRecord (written) or an ILiveRun (tracked); see Record.
    private readonly ConcurrentDictionary<Guid, (object Run, long Sequence)> _runs = new();
    private long _sequence;
    private readonly ConcurrentDictionary<Guid, List<StateTransition>> _transitions = new();
    private readonly List<RunLogEntry> _logs = [];
    private readonly List<RunArtifact> _artifacts = [];
    private readonly ConcurrentDictionary<string, CacheEntry> _cache = new(StringComparer.Ordinal);

    /// <summary>How many runs are stored.</summary>
    public int Count => _runs.Count;

    /// <inheritdoc />
    public bool WritesInline => true;

    /// <inheritdoc />
    public ValueTask WriteAsync(RunWriteBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        foreach (var run in batch.Runs)
        {
            Save(run);
        }

        AddTransitions(batch.Transitions);
        Append(_logs, batch.Logs);
        Append(_artifacts, batch.Artifacts);
        foreach (var entry in batch.CacheEntries)
        {
            _cache[entry.Key] = entry;
        }

        return default;
    }

    /// <inheritdoc />
    public ValueTask SaveRunAsync(RunRecord run, CancellationToken cancellationToken = default)
    {
        Save(run);
        return default;
    }

    /// <inheritdoc />
    public ValueTask AddTransitionsAsync(IReadOnlyList<StateTransition> transitions, CancellationToken cancellationToken = default)
    {
        AddTransitions(transitions);
        return default;
    }

    /// <inheritdoc />
    public ValueTask AddLogsAsync(IReadOnlyList<RunLogEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        Append(_logs, entries);
        return default;
    }

    /// <inheritdoc />
    public ValueTask<RunRecord?> GetRunAsync(Guid runId, CancellationToken cancellationToken = default) =>
        new(_runs.TryGetValue(runId, out var entry) ? Record(entry.Run) : null);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RunRecord>> QueryRunsAsync(RunQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        IReadOnlyList<RunRecord> result =
        [
            .. _runs.Values
                .Select(e => (Run: Record(e.Run), e.Sequence))
                .Where(e => query.Matches(e.Run))
                .OrderByDescending(e => e.Run.CreatedAt)
                .ThenByDescending(e => e.Sequence)
                .Skip(query.Offset)
                .Take(query.Limit)
                .Select(e => e.Run),
        ];
        return new(result);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<StateTransition>> GetTransitionsAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        if (_runs.TryGetValue(runId, out var entry) && entry.Run is ILiveRun live)
        {
            return new(live.Transitions());
        }

        if (!_transitions.TryGetValue(runId, out var list))
        {
            return new([]);
        }

        lock (list)
        {
            return new((IReadOnlyList<StateTransition>)[.. list]);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RunLogEntry>> GetLogsAsync(Guid runId, CancellationToken cancellationToken = default) =>
        new(Select(_logs, l => l.RunId == runId || l.FlowRunId == runId));

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RunArtifact>> GetArtifactsAsync(Guid runId, CancellationToken cancellationToken = default) =>
        new(Select(_artifacts, a => a.RunId == runId || a.FlowRunId == runId));

    /// <inheritdoc />
    public ValueTask<CacheEntry?> GetCacheEntryAsync(string key, CancellationToken cancellationToken = default) =>
        new(_cache.TryGetValue(key, out var entry) ? entry : null);

    /// <summary>Every stored run, oldest first.</summary>
    internal IReadOnlyList<RunRecord> AllRuns => [.. _runs.Values.OrderBy(e => e.Sequence).Select(e => Record(e.Run))];

    /// <summary>Every stored log line, in the order written.</summary>
    internal IReadOnlyList<RunLogEntry> AllLogs => Select(_logs, static _ => true);

    /// <summary>Keeps a run in progress as it is: its record and transitions are read from it whenever they are asked for.</summary>
    internal void Track(ILiveRun run) => _runs.TryAdd(run.Id, (run, Interlocked.Increment(ref _sequence)));

    private static RunRecord Record(object run) => run as RunRecord ?? ((ILiveRun)run).Snapshot();

    /// <summary>Before a tracked run is written to directly, turns it into a stored record and stored transitions.</summary>
    private void Freeze(Guid runId)
    {
        if (!_runs.TryGetValue(runId, out var entry) || entry.Run is not ILiveRun live)
        {
            return;
        }

        var list = _transitions.GetOrAdd(runId, static _ => []);
        lock (list)
        {
            if (_runs.TryUpdate(runId, (live.Snapshot(), entry.Sequence), entry))
            {
                list.InsertRange(0, live.Transitions());
            }
        }
    }

    private void Save(RunRecord run)
    {
        ArgumentNullException.ThrowIfNull(run);
        Freeze(run.Id);
        _runs.AddOrUpdate(
            run.Id,
            static (_, state) => ((object)state.run, Interlocked.Increment(ref state.store._sequence)),
            static (_, existing, state) => ((object)state.run, existing.Sequence),
            (run, store: this));
    }

    private void AddTransitions(IReadOnlyList<StateTransition> transitions)
    {
        ArgumentNullException.ThrowIfNull(transitions);
        foreach (var transition in transitions)
        {
            Freeze(transition.RunId);
            var list = _transitions.GetOrAdd(transition.RunId, static _ => []);
            lock (list)
            {
                list.Add(transition);
            }
        }
    }

    private static void Append<T>(List<T> list, IReadOnlyList<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0)
        {
            return;
        }

        lock (list)
        {
            list.AddRange(items);
        }
    }

    private static IReadOnlyList<T> Select<T>(List<T> list, Func<T, bool> predicate)
    {
        lock (list)
        {
            return [.. list.Where(predicate)];
        }
    }
}

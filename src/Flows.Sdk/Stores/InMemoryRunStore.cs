using System.Collections.Concurrent;
using Flows.Runs;

namespace Flows.Stores;

/// <summary>
/// A run store that keeps everything in process memory: for tests and for short scripts whose history need not
/// outlive the process. Every operation completes synchronously. Runs of an engine writing to it are kept as the
/// live runs themselves and read when queried, so recording a run's states costs no copies.
/// </summary>
public sealed partial class InMemoryRunStore : IRunStore, ILiveRunStore, ICancelRequestNotifier, IRunStoreNodes
{
    // Runs in the order of their first save, so runs created in the same clock tick keep their order; each is a
    // RunRecord (written) or an ILiveRun (tracked), see Record. Keeping a run costs a slot in the list; the index by
    // id is brought up to date when someone looks a run up by id, not on the hot path of every run.
    private readonly Lock _gate = new();
    private ChunkedList _runs = new();
    private readonly Dictionary<Guid, int> _index = [];
    private int _indexed;
    private readonly ConcurrentDictionary<Guid, List<StateTransition>> _transitions = new();
    private readonly List<RunLogEntry> _logs = [];
    private readonly List<RunArtifact> _artifacts = [];
    private readonly ConcurrentDictionary<string, CacheEntry> _cache = new(StringComparer.Ordinal);

    // Runs saved Scheduled or Late, which an engine may continue: tracking a run with one of these ids replaces the
    // stored run instead of adding one. Empty unless something schedules runs, so tracking costs one count check.
    private readonly HashSet<Guid> _waiting = [];

    // Cancel requests by run id (RequestCancelAsync); engines on this store also hear of each at once (CancelRequested).
    private readonly ConcurrentDictionary<Guid, RunCancelRequest> _cancelRequests = new();
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates an empty store.</summary>
    public InMemoryRunStore()
        : this(TimeProvider.System)
    {
    }

    /// <summary>Creates an empty store whose cancel requests are stamped by <paramref name="timeProvider"/>.</summary>
    public InMemoryRunStore(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _timeProvider = timeProvider;
        _startedAt = timeProvider.GetUtcNow();
    }

    /// <summary>Raised by <see cref="RequestCancelAsync"/> for each request stored, so an engine on this store acts on it at once.</summary>
    public event Action<RunCancelRequest>? CancelRequested;

    /// <summary>How many runs are stored.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _runs.Count;
            }
        }
    }

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
    /// <remarks>Atomic: the check, the run and its transition are written under the store's lock, so an engine continuing the run sees both.</remarks>
    public ValueTask<bool> TryCreateRunAsync(RunRecord run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        var batch = RunWriteBatch.Creating(run);
        lock (_gate)
        {
            if (IndexOf(run.Id) >= 0)
            {
                return new(false);
            }

            Save(run);
            AddTransitions(batch.Transitions);
        }

        return new(true);
    }

    /// <inheritdoc />
    /// <remarks>Atomic: the check, the Pending record and the transitions are written under the store's lock.</remarks>
    public ValueTask<bool> TryStartRunAsync(Guid runId, IReadOnlyList<StateTransition> transitions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transitions);
        return new(TryMove(runId, run => run is { State: RunState.Scheduled or RunState.Late } ? run with { State = RunState.Pending } : null, transitions));
    }

    /// <inheritdoc />
    /// <remarks>Atomic: the check, the Pending record and the transitions are written under the store's lock.</remarks>
    public ValueTask<bool> TryClaimCrashedRunAsync(Guid runId, int attempt, IReadOnlyList<StateTransition> transitions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transitions);
        return new(TryMove(
            runId,
            run => run is { State: RunState.Crashed } && run.Attempt == attempt ? run with { State = RunState.Pending, Attempt = attempt + 1, EndedAt = null, Error = null } : null,
            transitions));
    }

    /// <inheritdoc />
    /// <remarks>Atomic: the check, the Cancelled record and the transition are written under the store's lock.</remarks>
    public ValueTask<bool> TryCancelScheduledRunAsync(Guid runId, StateTransition cancelled, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cancelled);
        return new(TryMove(runId, run => run is { State: RunState.Scheduled or RunState.Late } ? IRunStore.Cancelled(run, cancelled) : null, [cancelled]));
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
        new(Find(runId) is { } run ? Record(run) : null);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RunRecord>> QueryRunsAsync(RunQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        IReadOnlyList<RunRecord> result =
        [
            .. Runs()
                .Select((run, sequence) => (Run: Record(run), Sequence: sequence))
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
        // A continued run's transitions from before it was tracked (Scheduled, Late) are stored; its live ones follow.
        var live = Find(runId) as ILiveRun;
        if (!_transitions.TryGetValue(runId, out var list))
        {
            return new(live?.Transitions() ?? []);
        }

        lock (list)
        {
            return new((IReadOnlyList<StateTransition>)[.. list, .. live?.Transitions() ?? []]);
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
    internal IReadOnlyList<RunRecord> AllRuns => [.. Runs().Select(Record)];

    /// <summary>Every stored log line, in the order written.</summary>
    internal IReadOnlyList<RunLogEntry> AllLogs => Select(_logs, static _ => true);

    /// <inheritdoc />
    void ILiveRunStore.Track(ILiveRun run)
    {
        lock (_gate)
        {
            // A run that was saved Scheduled or Late and is now started keeps its place (and its stored transitions).
            if (_waiting.Count != 0 && _waiting.Remove(run.Id) && IndexOf(run.Id) is var i and >= 0)
            {
                _runs[i] = run;
                return;
            }

            _runs.Add(run);
        }
    }

    /// <summary>
    /// A compare-and-set under the store's lock: replaces the stored record of <paramref name="runId"/> with what
    /// <paramref name="move"/> makes of it (null: it may not move) and appends the transitions; true when it moved.
    /// A run moved to Pending stays among, or joins, the waiting ids: the engine that claimed it tracks its live run in
    /// this record's place.
    /// </summary>
    private bool TryMove(Guid runId, Func<RunRecord, RunRecord?> move, IReadOnlyList<StateTransition> transitions)
    {
        lock (_gate)
        {
            // A run of this process's engine that ended (Crashed when its engine was disposed under it) is kept live:
            // stored as it ended first, so it can be moved on.
            if (IndexOf(runId) is var live and >= 0 && _runs[live] is ILiveRun ended && ended.Snapshot().State.IsFinal())
            {
                Freeze(runId);
            }

            if (IndexOf(runId) is not (var i and >= 0) || _runs[i] is not RunRecord run || move(run) is not { } moved)
            {
                return false;
            }

            _runs[i] = moved;

            // A cancel request was for the attempt that ended; the next one starts without it.
            _cancelRequests.TryRemove(runId, out _);
            if (moved.State == RunState.Pending)
            {
                _waiting.Add(runId);
            }
            else
            {
                _waiting.Remove(runId);
            }

            AddTransitions(transitions);
        }

        return true;
    }

    private static RunRecord Record(object run) => run as RunRecord ?? ((ILiveRun)run).Snapshot();

    private object[] Runs()
    {
        lock (_gate)
        {
            return _runs.ToArray();
        }
    }

    private object? Find(Guid runId)
    {
        lock (_gate)
        {
            return IndexOf(runId) is var i and >= 0 ? _runs[i] : null;
        }
    }

    /// <summary>Indexes the runs added since the last look-up, then looks this one up. Call under the gate.</summary>
    private int IndexOf(Guid runId)
    {
        for (; _indexed < _runs.Count; _indexed++)
        {
            _index[Id(_runs[_indexed])] = _indexed;
        }

        return _index.GetValueOrDefault(runId, -1);

        static Guid Id(object run) => run is RunRecord record ? record.Id : ((ILiveRun)run).Id;
    }

    /// <summary>Before a tracked run is written to directly, turns it into a stored record and stored transitions.</summary>
    private void Freeze(Guid runId)
    {
        lock (_gate)
        {
            if (IndexOf(runId) is not (var i and >= 0) || _runs[i] is not ILiveRun live)
            {
                return;
            }

            _runs[i] = live.Snapshot();
            var list = _transitions.GetOrAdd(runId, static _ => []);
            lock (list)
            {
                // After those stored before the run was tracked (a continued run's Scheduled and Late).
                list.AddRange(live.Transitions());
            }
        }
    }

    private void Save(RunRecord run)
    {
        ArgumentNullException.ThrowIfNull(run);
        Freeze(run.Id);
        lock (_gate)
        {
            if (run.State is RunState.Scheduled or RunState.Late)
            {
                _waiting.Add(run.Id);
            }
            else if (_waiting.Count != 0)
            {
                _waiting.Remove(run.Id);
            }

            if (IndexOf(run.Id) is var i and >= 0)
            {
                _runs[i] = run;
            }
            else
            {
                _index[run.Id] = _indexed++;
                _runs.Add(run);
            }
        }
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

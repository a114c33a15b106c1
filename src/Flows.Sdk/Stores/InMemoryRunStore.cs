using System.Collections.Concurrent;
using Flows.Runs;

namespace Flows.Stores;

/// <summary>
/// A run store that keeps everything in process memory: for tests and for short scripts whose history need not
/// outlive the process. Every operation completes synchronously. Runs of an engine writing to it are kept as the
/// live runs themselves and read when queried, so recording a run's states costs no copies.
/// </summary>
public sealed class InMemoryRunStore : IRunStore, ILiveRunStore, ICancelRequestNotifier
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
    /// <remarks>Pages by keyset: a run's creation time and its place in the order runs were first saved.</remarks>
    public ValueTask<RunPage> QueryRunPageAsync(RunQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegative(query.Limit);
        (DateTimeOffset CreatedAt, long Sequence)? after = query.PageToken is { } token ? RunPageToken.ParseKeyset(token) : null;
        var page = Runs()
            .Select((run, sequence) => (Run: Record(run), Sequence: (long)sequence))
            .Where(e => query.Matches(e.Run))
            .Where(e => after is not { } a || e.Run.CreatedAt < a.CreatedAt || (e.Run.CreatedAt == a.CreatedAt && e.Sequence < a.Sequence))
            .OrderByDescending(e => e.Run.CreatedAt)
            .ThenByDescending(e => e.Sequence)
            .Skip(query.Offset)
            .Take(query.Limit + 1)
            .ToList();
        if (page.Count <= query.Limit)
        {
            return new(new RunPage([.. page.Select(e => e.Run)], null));
        }

        var last = page[query.Limit - 1];
        return new(new RunPage([.. page.Take(query.Limit).Select(e => e.Run)], RunPageToken.Keyset(last.Run.CreatedAt, last.Sequence)));
    }

    /// <inheritdoc />
    /// <remarks>Acts at once: an engine on this store cancels the run before this returns.</remarks>
    public ValueTask<bool> RequestCancelAsync(Guid runId, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reason);
        if (Find(runId) is not { } run || Record(run).State is not (RunState.Pending or RunState.Running or RunState.Retrying))
        {
            return new(false);
        }

        var request = new RunCancelRequest(runId, reason, _timeProvider.GetUtcNow());
        _cancelRequests[runId] = request;
        CancelRequested?.Invoke(request);
        return new(true);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RunCancelRequest>> GetCancelRequestsAsync(IReadOnlyCollection<Guid> runIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runIds);
        IReadOnlyList<RunCancelRequest> found = [.. runIds.Select(id => _cancelRequests.GetValueOrDefault(id)).OfType<RunCancelRequest>()];
        return new(found);
    }

    /// <inheritdoc />
    public ValueTask<PruneResult> PruneAsync(PruneRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        int flowRuns, runs, transitions = 0;
        HashSet<Guid> doomed;
        lock (_gate)
        {
            var all = _runs.ToArray();
            var records = all.Select(Record).ToList();
            doomed = [.. records.Where(r => r.ParentRunId is null && Prunable(r, request)).Select(r => r.Id)];
            flowRuns = doomed.Count;

            // Whatever descends from a doomed run (task runs, subflows, their task runs) goes with it.
            for (var grew = doomed.Count > 0; grew;)
            {
                grew = false;
                foreach (var r in records)
                {
                    if (r.ParentRunId is { } parent && doomed.Contains(parent) && doomed.Add(r.Id))
                    {
                        grew = true;
                    }
                }
            }

            runs = doomed.Count;
            if (runs > 0)
            {
                _runs = new ChunkedList();
                _index.Clear();
                _indexed = 0;
                foreach (var run in all.Where((_, i) => !doomed.Contains(records[i].Id)))
                {
                    _runs.Add(run);
                }

                foreach (var id in doomed)
                {
                    _waiting.Remove(id);
                    _cancelRequests.TryRemove(id, out _);
                    if (_transitions.TryRemove(id, out var list))
                    {
                        transitions += list.Count;
                    }
                }
            }
        }

        var logLines = Remove(_logs, l => doomed.Contains(l.RunId) || (l.FlowRunId is { } f && doomed.Contains(f)));
        var artifacts = Remove(_artifacts, a => doomed.Contains(a.RunId) || (a.FlowRunId is { } f && doomed.Contains(f)));
        var cacheEntries = 0;
        foreach (var entry in _cache.Values)
        {
            if (entry.ExpiresAt is { } expires && expires < request.EndedBefore && _cache.TryRemove(KeyValuePair.Create(entry.Key, entry)))
            {
                cacheEntries++;
            }
        }

        return new(new PruneResult(flowRuns, runs, transitions, logLines, artifacts, cacheEntries));
    }

    /// <summary>Whether a top-level run is one <paramref name="request"/> deletes: ended before its cutoff, in a state it deletes.</summary>
    internal static bool Prunable(RunRecord run, PruneRequest request) =>
        run.EndedAt is { } ended && ended < request.EndedBefore
        && run.State switch
        {
            RunState.Completed or RunState.Cached or RunState.Cancelled => true,
            RunState.Failed or RunState.TimedOut or RunState.Crashed => !request.KeepFailed,
            _ => false,
        };

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

    private static int Remove<T>(List<T> list, Predicate<T> predicate)
    {
        lock (list)
        {
            return list.RemoveAll(predicate);
        }
    }

    private static IReadOnlyList<T> Select<T>(List<T> list, Func<T, bool> predicate)
    {
        lock (list)
        {
            return [.. list.Where(predicate)];
        }
    }

    /// <summary>
    /// A list that grows by chunks of <see cref="ChunkSize"/> slots and never copies a full one: a store keeping hundreds of
    /// thousands of runs allocates 8 B per run for its slots, instead of a doubling array's copies (about 21 B per run
    /// amortised) that land on the large object heap, where each growth counts towards a full collection.
    /// </summary>
    private sealed class ChunkedList
    {
        /// <summary>4,096 slots, 32 KB: under the large object heap's threshold.</summary>
        private const int ChunkBits = 12;
        private const int ChunkSize = 1 << ChunkBits;

        private object[][] _chunks = new object[4][];

        public int Count { get; private set; }

        public object this[int index]
        {
            get => _chunks[index >> ChunkBits][index & (ChunkSize - 1)];
            set => _chunks[index >> ChunkBits][index & (ChunkSize - 1)] = value;
        }

        public void Add(object item)
        {
            var chunk = Count >> ChunkBits;
            if (chunk == _chunks.Length)
            {
                Array.Resize(ref _chunks, _chunks.Length * 2);
            }

            var slot = Count & (ChunkSize - 1);
            ref var slots = ref _chunks[chunk];
            if (slots is null || slot == slots.Length)
            {
                // The first chunk starts small and doubles up to its full size, so a store of a few runs stays small.
                Array.Resize(ref slots, chunk == 0 ? Math.Min(ChunkSize, Math.Max(16, slot * 2)) : ChunkSize);
            }

            slots[slot] = item;
            Count++;
        }

        public object[] ToArray()
        {
            var all = new object[Count];
            for (var copied = 0; copied < Count; copied += ChunkSize)
            {
                Array.Copy(_chunks[copied >> ChunkBits], 0, all, copied, Math.Min(ChunkSize, Count - copied));
            }

            return all;
        }
    }
}

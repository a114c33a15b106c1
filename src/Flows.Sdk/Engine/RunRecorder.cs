using System.Globalization;
using Flows.Stores;
using Flows.Telemetry;
using Microsoft.Extensions.Logging;

namespace Flows;

/// <summary>
/// Takes what runs record (their records and transitions, log lines, artifacts, cache entries) off the hot path: a
/// single background writer drains a queue and hands the store one <see cref="RunWriteBatch"/> per drain, so a
/// durable store commits thousands of writes in one transaction. <see cref="FlushAsync"/> is the write-through:
/// it completes once everything recorded before it is in the store (flow runs use it for their start and end).
/// A run whose record changed is queued once, not once per change: the writer reads its record and the transitions
/// not yet written from the run itself when it drains (<see cref="RunContext.TakeChanges"/>). The in-memory store
/// keeps the live runs themselves; other stores that write inline are written directly and never batched.
/// </summary>
/// <remarks>
/// A write the store cannot take costs that write alone: a batch refused with a non-transient error is split in
/// halves until the write it refuses is found, which is dropped, logged and counted while every other write lands;
/// the flow run it belonged to then fails its next write-through. A store that cannot be reached (transient errors) is
/// waited for, with growing pauses, for the outage tolerance: the writer holds the batch it was writing (nothing taken
/// from the runs is lost), the queue grows behind it until new task runs wait for room, and write-throughs wait. Once
/// the tolerance is spent, write-throughs fail with <see cref="RunStoreException"/> while the writer keeps trying, so
/// the writes are stored when the store is back; only an engine stopping during such an outage gives them up.
/// </remarks>
internal sealed partial class RunRecorder : IAsyncDisposable
{
    /// <summary>The configuration key of the outage tolerance, in seconds.</summary>
    public const string OutageToleranceKey = "Flows:Store:OutageToleranceSeconds";

    /// <summary>The most writes in one batch; large enough to amortise a commit, small enough to bound a transaction.</summary>
    private const int MaxBatch = 8192;

    /// <summary>The most writes a drain may have had for the writer to keep its batch's buffers when the queue is empty.</summary>
    private const int IdleBatch = 1024;

    /// <summary>
    /// Writes of one batch refused one by one in a row, none written in between, after which the store is taken to
    /// refuse every write (a permission taken away, a table dropped): each part of the batch left is tried once more
    /// as a whole, and dropped if refused, rather than split again. Bounds the tries a batch of n writes costs then to
    /// about 2 × this + 2 log2 n instead of 2n; a few bad rows in a row are far fewer than this.
    /// </summary>
    private const int RefusalsInARow = 32;

    /// <summary>The pause after the first transient failure of an outage; each next one doubles, up to <see cref="LongestRetryDelay"/>.</summary>
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest pause between attempts during an outage: a store that is back is written to within this.</summary>
    private static readonly TimeSpan LongestRetryDelay = TimeSpan.FromSeconds(10);

    private readonly IRunStore _store;
    private readonly ILogger _log;
    private readonly TimeProvider _retryTime;
    private readonly TimeSpan _outageTolerance;
    private readonly RunTelemetry _telemetry;
    private readonly InMemoryRunStore? _memory;
    private readonly DrainQueue<Write>? _queue;
    private readonly Task? _writer;

    // The writer's own state, touched by the writer only.
    private readonly Dictionary<Guid, string> _refusedByFlow = [];
    private DateTimeOffset? _outageSince;
    private int _outageAttempts;
    private int _refusedInARow;

    /// <summary>Set when part of the batch being written was given up (the engine stopping during a long outage): its flushes fail with it.</summary>
    private RunStoreException? _lost;

    /// <summary>How many writes were given up so, after how long an outage, and why; logged once, when the writer ends.</summary>
    private int _lostWrites;
    private TimeSpan _lostAfter;
    private Exception? _lostTo;

    /// <summary>Set (to the error write-throughs get) once an outage outlasts the tolerance; replaced when the store is back.</summary>
    private TaskCompletionSource<RunStoreException> _unavailable = NewUnavailable();

    private volatile bool _stopping;

    /// <param name="store">Where the writes go.</param>
    /// <param name="log">Where the writer's own failures are logged.</param>
    /// <param name="retryTime">The clock the waits between attempts at a refused batch run on: the engine's retry clock.</param>
    /// <param name="backlogLimit">How many writes may wait before new task runs wait too.</param>
    /// <param name="outageTolerance">How long a store that cannot be reached is waited for before write-throughs fail.</param>
    /// <param name="telemetry">Where dropped writes are counted.</param>
    public RunRecorder(IRunStore store, ILogger log, TimeProvider retryTime, int backlogLimit, TimeSpan outageTolerance, RunTelemetry telemetry)
    {
        _store = store;
        _log = log;
        _retryTime = retryTime;
        _outageTolerance = outageTolerance;
        _telemetry = telemetry;
        if (store.WritesInline)
        {
            _memory = store as InMemoryRunStore;
            return;
        }

        // Recording never blocks a run in progress; only new task runs wait, and only while the store is behind by
        // backlogLimit writes (see WaitForRoomAsync).
        _queue = new DrainQueue<Write>(backlogLimit);

        // The writer must not inherit a run's context: its own failures are logged, and must not be stored in a run.
        using (ExecutionContext.SuppressFlow())
        {
            _writer = Task.Run(WriteLoopAsync);
        }
    }

    /// <summary>Called with cache entries once they are in the store.</summary>
    public Action<IReadOnlyList<CacheEntry>>? CacheEntriesWritten { get; set; }

    /// <summary>A run was created: the in-memory store starts reading it live; other stores get it like any change.</summary>
    public void Created(RunContext run)
    {
        if (_memory is not null)
        {
            _memory.Track(run);
            return;
        }

        Changed(run);
    }

    /// <summary>The run's record changed: queue it unless it is queued already (the writer reads it when it drains).</summary>
    public void Changed(RunContext run)
    {
        if (_memory is not null || (_queue is not null && (!run.TryMarkQueued() || _queue.TryWrite(new Write(run)))))
        {
            return;
        }

        // A store that writes inline, or a run still ending after the recorder stopped: write the change now.
        var transitions = new List<StateTransition>();
        var record = run.TakeChanges(transitions);
        Inline(_store.WriteAsync(new RunWriteBatch { Runs = [record], Transitions = transitions }), RunWriteKind.Run, run.Id);
    }

    public void Log(RunLogEntry entry)
    {
        if (!TryQueue(entry))
        {
            Inline(_store.AddLogsAsync([entry]), RunWriteKind.Log, entry.RunId);
        }
    }

    public void Artifact(RunArtifact artifact)
    {
        if (!TryQueue(artifact))
        {
            Inline(_store.WriteAsync(new RunWriteBatch { Artifacts = [artifact] }), RunWriteKind.Artifact, artifact.RunId);
        }
    }

    public void Cache(CacheEntry entry)
    {
        if (!TryQueue(entry))
        {
            Inline(_store.WriteAsync(new RunWriteBatch { CacheEntries = [entry] }), RunWriteKind.CacheEntry, entry.RunId);
            CacheEntriesWritten?.Invoke([entry]);
        }
    }

    /// <summary>
    /// Completes at once unless the store is behind by the backlog limit, then once it has caught up by half: new task
    /// runs wait here, so a store slower than the runs slows them down instead of letting the queue grow without end.
    /// Fails with <see cref="RunStoreException"/> when the store stays unreachable past the outage tolerance meanwhile.
    /// </summary>
    public ValueTask WaitForRoomAsync()
    {
        if (_queue is null)
        {
            return default;
        }

        var room = _queue.WaitForRoomAsync();
        return room.IsCompleted ? room : new(WaitOrFailAsync(room.AsTask(), Volatile.Read(ref _unavailable).Task, CancellationToken.None));
    }

    /// <summary>
    /// Completes when everything recorded before this call is in the store. Fails with <see cref="RunStoreException"/>
    /// when the store refused a write of flow run <paramref name="flowRunId"/> (the flush of a flow run's start or end),
    /// or once the store has been unreachable for longer than the outage tolerance.
    /// </summary>
    public ValueTask FlushAsync(Guid? flowRunId, CancellationToken cancellationToken = default)
    {
        if (_queue is null)
        {
            return default;
        }

        var unavailable = Volatile.Read(ref _unavailable).Task;
        if (unavailable.IsCompleted)
        {
            return new(FailAsync(unavailable));
        }

        var flush = new Flush(flowRunId);
        return _queue.TryWrite(new Write(flush))
            ? new(WaitOrFailAsync(flush.Task, unavailable, cancellationToken))
            : new(_writer!.WaitAsync(cancellationToken));
    }

    /// <summary>
    /// Stops taking writes and waits until everything taken is in the store. During an outage that waits until the
    /// store is back or the outage tolerance is spent; then what could not be written is given up, and logged.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (_queue is null)
        {
            return;
        }

        _stopping = true;
        _queue.Complete();
        await _writer!.ConfigureAwait(false);
    }

    /// <summary>The outage tolerance: <see cref="FlowEngineOptions.StoreOutageTolerance"/>, else configuration, else the default.</summary>
    public static TimeSpan OutageTolerance(FlowEngineOptions options)
    {
        if (options.StoreOutageTolerance is { } tolerance)
        {
            return tolerance >= TimeSpan.Zero
                ? tolerance
                : throw new ArgumentOutOfRangeException(nameof(options), tolerance, "FlowEngineOptions.StoreOutageTolerance cannot be negative.");
        }

        if (options.Configuration?[OutageToleranceKey] is not { } text)
        {
            return FlowEngineOptions.DefaultStoreOutageTolerance;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0 && seconds <= TimeSpan.MaxValue.TotalSeconds
            ? TimeSpan.FromSeconds(seconds)
            : throw new InvalidOperationException($"Configuration {OutageToleranceKey} is '{text}', which is not a number of seconds zero or greater (the default is {FlowEngineOptions.DefaultStoreOutageTolerance.TotalSeconds:0}).");
    }

    private static TaskCompletionSource<RunStoreException> NewUnavailable() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A new exception for each caller: one instance thrown from many places would mix their stack traces.</summary>
    private static RunStoreException Fresh(RunStoreException error) => new(error.Message, error.InnerException!);

    /// <summary>Fails with the outage's error; the task it awaits has already completed, so this completes at once.</summary>
    private static async Task FailAsync(Task<RunStoreException> unavailable) => throw Fresh(await unavailable.ConfigureAwait(false));

    private static async Task WaitOrFailAsync(Task done, Task<RunStoreException> unavailable, CancellationToken cancellationToken)
    {
        if (await Task.WhenAny(done, unavailable).WaitAsync(cancellationToken).ConfigureAwait(false) != done)
        {
            throw Fresh(await unavailable.ConfigureAwait(false));
        }

        await done.ConfigureAwait(false);
    }

    private bool TryQueue(object item) => _queue is not null && _queue.TryWrite(new Write(item));

    /// <summary>Writes to a store that writes inline, or to a durable one once the recorder has stopped (runs still ending as the engine shuts down).</summary>
    private void Inline(ValueTask write, RunWriteKind kind, Guid runId)
    {
        try
        {
            if (!write.IsCompletedSuccessfully)
            {
                write.AsTask().GetAwaiter().GetResult();
            }
        }
        catch (Exception ex) when (_queue is not null)
        {
            _telemetry.WritesDropped(1);
            LogWriteDropped(_log, Describe(kind), runId, ex);
        }
    }

    private async Task WriteLoopAsync()
    {
        Batch? batch = null;
        while (await _queue!.TakeAllAsync().ConfigureAwait(false) is { } writes)
        {
            batch ??= new Batch();
            var count = writes.Count;
            for (var start = 0; start < count; start += MaxBatch)
            {
                var end = Math.Min(count, start + MaxBatch);
                for (var i = start; i < end; i++)
                {
                    batch.Add(writes[i]);
                }

                await WriteAsync(batch).ConfigureAwait(false);
                _queue.Handled(end - start);
            }

            _queue.Return(writes);

            // A burst grew the batch's buffers; once it is over they go, so a finished flow leaves nothing behind.
            if (count > IdleBatch && _queue.IsEmpty)
            {
                batch = null;
            }
        }

        if (_lostWrites > 0)
        {
            LogWritesLost(_log, _lostWrites, Duration(_lostAfter), _lostTo!);
        }
    }

    /// <summary>Writes a batch (returning once each of its writes is in the store or dropped) and completes its flushes.</summary>
    private async Task WriteAsync(Batch batch)
    {
        if (!batch.IsEmpty)
        {
            _refusedInARow = 0;
            await WritePartAsync(batch, batch.ToWriteBatch()).ConfigureAwait(false);
            if (batch.CacheEntries.Count > 0)
            {
                CacheEntriesWritten?.Invoke(batch.CacheEntries);
            }
        }

        batch.Complete(_refusedByFlow, _lost);
        batch.Clear();
        _lost = null;
    }

    /// <summary>
    /// Writes part of a batch, all or nothing (one transaction, so a failed attempt left nothing behind). A transient
    /// failure is ridden out (<see cref="RideOutAsync"/>); any other failure splits the part in halves, written in turn,
    /// until the write the store refuses is alone, and then drops it. Only when an outage outlasts the tolerance while
    /// the engine stops is the part given up (see <see cref="_lost"/>).
    /// </summary>
    private async Task WritePartAsync(Batch batch, RunWriteBatch part)
    {
        while (true)
        {
            var count = Count(part);
            try
            {
                await _store.WriteAsync(part).ConfigureAwait(false);
                StoreAnswered();
                _refusedInARow = 0;
                return;
            }
            catch (Exception ex) when (_store.IsTransient(ex))
            {
                if (!await RideOutAsync(ex, count).ConfigureAwait(false))
                {
                    _lostWrites += count;
                    _lostAfter = _retryTime.GetUtcNow() - _outageSince!.Value;
                    _lostTo = ex;
                    _lost ??= await Volatile.Read(ref _unavailable).Task.ConfigureAwait(false);
                    return;
                }
            }
            catch (Exception ex)
            {
                StoreAnswered();
                if (count > 1 && _refusedInARow < RefusalsInARow)
                {
                    var (first, second) = Split(part, count);
                    await WritePartAsync(batch, first).ConfigureAwait(false);
                    await WritePartAsync(batch, second).ConfigureAwait(false);
                    return;
                }

                Drop(batch, part, count, ex);
                return;
            }
        }
    }

    /// <summary>
    /// After a transient failure: waits before the next attempt, 0.1 s at first and twice as long each time up to
    /// 10 s. Once the outage has lasted the tolerance, write-throughs fail from then on (until a write succeeds); the
    /// writer goes on trying, unless the engine is stopping: then it returns false and the writes are given up.
    /// </summary>
    private async Task<bool> RideOutAsync(Exception error, int count)
    {
        var now = _retryTime.GetUtcNow();
        if (_outageSince is not { } since)
        {
            _outageSince = since = now;
            _outageAttempts = 0;
            LogOutageBegan(_log, count, _store.ToString(), Duration(_outageTolerance), error);
        }

        var down = now - since;
        var left = _outageTolerance - down;
        if (left <= TimeSpan.Zero)
        {
            GiveUp(error, since, down);
            if (_stopping)
            {
                return false;
            }
        }

        var delay = TimeSpan.FromTicks(Math.Min(LongestRetryDelay.Ticks, FirstRetryDelay.Ticks << Math.Min(_outageAttempts++, 16)));
        if (left > TimeSpan.Zero && left < delay)
        {
            // Wake when the tolerance is spent, so write-throughs fail when it says and not up to a pause later.
            delay = left;
        }

        LogWriteRetried(_log, count, delay.TotalSeconds, down.TotalSeconds, error.Message);
        await Task.Delay(delay, _retryTime).ConfigureAwait(false);
        return true;
    }

    /// <summary>The store took a write or refused one on its own merits: it can be reached, and write-throughs may succeed again.</summary>
    private void StoreAnswered()
    {
        if (_outageSince is not { } since)
        {
            return;
        }

        _outageSince = null;
        LogStoreBack(_log, Duration(_retryTime.GetUtcNow() - since));
        if (Volatile.Read(ref _unavailable).Task.IsCompleted)
        {
            Volatile.Write(ref _unavailable, NewUnavailable());
        }
    }

    /// <summary>The outage outlasted the tolerance: write-throughs waiting now, and those to come until the store is back, fail.</summary>
    private void GiveUp(Exception error, DateTimeOffset since, TimeSpan down)
    {
        var unavailable = Volatile.Read(ref _unavailable);
        if (unavailable.Task.IsCompleted)
        {
            return;
        }

        var message = $"{_store} has been unreachable for {Duration(down)} (since {since:u}), longer than the store outage tolerance of "
            + $"{Duration(_outageTolerance)} (FlowEngineOptions.StoreOutageTolerance, {OutageToleranceKey}). Last error: {error.Message} "
            + "What runs recorded is kept in memory and written when the store is back; until then flow runs cannot be written through, so they fail.";
        LogStoreUnavailable(_log, Duration(down), Duration(_outageTolerance), error);
        unavailable.TrySetResult(new RunStoreException(message, error));
    }

    /// <summary>
    /// The store refused the part on its own merits: drops its writes (one, unless the store refused too many in a
    /// row), logs and counts them, and marks their flow runs so that their next write-through says so.
    /// </summary>
    private void Drop(Batch batch, RunWriteBatch part, int count, Exception error)
    {
        _telemetry.WritesDropped(count);
        if (count == 1)
        {
            _refusedInARow++;
        }
        else
        {
            LogStoreRefusesEverything(_log, RefusalsInARow, count, error);
        }

        foreach (var (kind, runId, flowRunId) in Writes(batch, part))
        {
            if (count == 1)
            {
                LogWriteDropped(_log, Describe(kind), runId, error);
            }

            // A lost cache entry costs a later call its result, not the flow its record.
            if (kind != RunWriteKind.CacheEntry && flowRunId is { } flow && !_refusedByFlow.ContainsKey(flow))
            {
                _refusedByFlow[flow] = $"The run store refused a {Describe(kind)} of run {runId} of this flow run, and it was dropped: {error.Message} "
                    + "The flow run's other writes are stored. See the engine's log (Flows.Runtime, event 100).";
            }
        }
    }

    private static int Count(RunWriteBatch b) => b.Runs.Count + b.Transitions.Count + b.Logs.Count + b.Artifacts.Count + b.CacheEntries.Count;

    /// <summary>The first half of the writes and the rest, each kind keeping its order.</summary>
    private static (RunWriteBatch First, RunWriteBatch Second) Split(RunWriteBatch batch, int count)
    {
        var take = count / 2;
        var runs = Cut(batch.Runs, ref take);
        var transitions = Cut(batch.Transitions, ref take);
        var logs = Cut(batch.Logs, ref take);
        var artifacts = Cut(batch.Artifacts, ref take);
        var cacheEntries = Cut(batch.CacheEntries, ref take);
        return (
            new RunWriteBatch { Runs = runs.First, Transitions = transitions.First, Logs = logs.First, Artifacts = artifacts.First, CacheEntries = cacheEntries.First },
            new RunWriteBatch { Runs = runs.Second, Transitions = transitions.Second, Logs = logs.Second, Artifacts = artifacts.Second, CacheEntries = cacheEntries.Second });

        static (IReadOnlyList<T> First, IReadOnlyList<T> Second) Cut<T>(IReadOnlyList<T> items, ref int take)
        {
            var n = Math.Min(take, items.Count);
            take -= n;
            return n == 0 ? ([], items) : n == items.Count ? (items, []) : ([.. items.Take(n)], [.. items.Skip(n)]);
        }
    }

    /// <summary>Each write of a part: what it is, its run, and the flow run it belongs to.</summary>
    private static IEnumerable<(RunWriteKind Kind, Guid RunId, Guid? FlowRunId)> Writes(Batch batch, RunWriteBatch part) =>
        part.Runs.Select(r => (RunWriteKind.Run, r.Id, r.FlowRunId))
            .Concat(part.Transitions.Select(t => (RunWriteKind.Transition, t.RunId, batch.FlowRunOf(t.RunId))))
            .Concat(part.Logs.Select(l => (RunWriteKind.Log, l.RunId, l.FlowRunId)))
            .Concat(part.Artifacts.Select(a => (RunWriteKind.Artifact, a.RunId, a.FlowRunId)))
            .Concat(part.CacheEntries.Select(c => (RunWriteKind.CacheEntry, c.RunId, batch.FlowRunOf(c.RunId))));

    private static string Describe(RunWriteKind kind) => kind switch
    {
        RunWriteKind.Run => "run record",
        RunWriteKind.Transition => "state transition",
        RunWriteKind.Log => "log line",
        RunWriteKind.Artifact => "artifact",
        _ => "cache entry",
    };

    /// <summary>"90 s", "5 min": how long an outage lasted or may last, for messages.</summary>
    private static string Duration(TimeSpan time) => time < TimeSpan.FromMinutes(2)
        ? string.Create(CultureInfo.InvariantCulture, $"{time.TotalSeconds:0.#} s")
        : string.Create(CultureInfo.InvariantCulture, $"{time.TotalMinutes:0.#} min");

    [LoggerMessage(100, LogLevel.Error, "The run store refused a {Write} of run {RunId}; it was dropped, and that run's record lacks it")]
    private static partial void LogWriteDropped(ILogger logger, string write, Guid runId, Exception exception);

    [LoggerMessage(101, LogLevel.Debug, "The run store is still unreachable ({Error}); trying a batch of {Count} writes again in {DelaySeconds:0.#} s, {DownSeconds:0.#} s into the outage")]
    private static partial void LogWriteRetried(ILogger logger, int count, double delaySeconds, double downSeconds, string error);

    [LoggerMessage(110, LogLevel.Warning, "The run store cannot be reached: a batch of {Count} writes was refused with a transient error. {Store} is waited for up to {Tolerance}; runs' writes wait meanwhile")]
    private static partial void LogOutageBegan(ILogger logger, int count, string? store, string tolerance, Exception exception);

    [LoggerMessage(111, LogLevel.Information, "The run store is back after {Down}; the writes that waited for it are being written")]
    private static partial void LogStoreBack(ILogger logger, string down);

    [LoggerMessage(112, LogLevel.Error, "The run store has been unreachable for {Down}, longer than the outage tolerance of {Tolerance}: flow runs' write-throughs fail until it is back; what runs record is kept and written then")]
    private static partial void LogStoreUnavailable(ILogger logger, string down, string tolerance, Exception exception);

    [LoggerMessage(113, LogLevel.Error, "The engine is stopping and the run store has been unreachable for {Down}: {Count} writes could not be stored and are lost")]
    private static partial void LogWritesLost(ILogger logger, int count, string down, Exception exception);

    [LoggerMessage(114, LogLevel.Error, "The run store refused {InARow} writes in a row, each on its own: it refuses every write, so the other {Count} writes of this batch were dropped without more attempts")]
    private static partial void LogStoreRefusesEverything(ILogger logger, int inARow, int count, Exception exception);

    /// <summary>What a single write is, to name it in logs and errors.</summary>
    private enum RunWriteKind
    {
        Run,
        Transition,
        Log,
        Artifact,
        CacheEntry,
    }

    /// <summary>One queued write: a record of one of the batch's kinds (a run whose record changed, a log line…), or a flush.</summary>
    private readonly record struct Write(object Item);

    /// <summary>A write-through: completes once everything queued before it is written; for a flow run's start or end, names the flow run.</summary>
    private sealed class Flush(Guid? flowRunId) : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public Guid? FlowRunId { get; } = flowRunId;
    }

    /// <summary>The writes of one drain: runs (each read once, as it is when drained), their new transitions, and the rest.</summary>
    private sealed class Batch
    {
        private readonly List<RunRecord> _runs = [];
        private readonly Dictionary<Guid, int> _runIndex = [];
        private readonly List<StateTransition> _transitions = [];
        private readonly List<RunLogEntry> _logs = [];
        private readonly List<RunArtifact> _artifacts = [];
        private readonly List<Flush> _flushes = [];

        public List<CacheEntry> CacheEntries { get; } = [];

        public bool IsEmpty => _runs.Count == 0 && _transitions.Count == 0 && _logs.Count == 0 && _artifacts.Count == 0 && CacheEntries.Count == 0;

        public void Add(Write write)
        {
            switch (write.Item)
            {
                case RunContext run:
                    Add(run.TakeChanges(_transitions));
                    break;
                case RunLogEntry log:
                    _logs.Add(log);
                    break;
                case RunArtifact artifact:
                    _artifacts.Add(artifact);
                    break;
                case CacheEntry entry:
                    CacheEntries.Add(entry);
                    break;
                default:
                    _flushes.Add((Flush)write.Item);
                    break;
            }
        }

        public RunWriteBatch ToWriteBatch() => new()
        {
            Runs = _runs,
            Transitions = _transitions,
            Logs = _logs,
            Artifacts = _artifacts,
            CacheEntries = CacheEntries,
        };

        /// <summary>The flow run of a run whose record is in this batch (a run's transitions are taken with its record).</summary>
        public Guid? FlowRunOf(Guid runId) => _runIndex.TryGetValue(runId, out var index) ? _runs[index].FlowRunId : null;

        /// <summary>
        /// Completes the flushes: each fails with <paramref name="lost"/> when the batch was given up, or when a write of
        /// its flow run was dropped (<paramref name="refusedByFlow"/>, which forgets it then); the others succeed.
        /// </summary>
        public void Complete(Dictionary<Guid, string> refusedByFlow, RunStoreException? lost)
        {
            foreach (var flush in _flushes)
            {
                if (lost is not null)
                {
                    flush.TrySetException(Fresh(lost));
                }
                else if (flush.FlowRunId is { } flow && refusedByFlow.Remove(flow, out var refused))
                {
                    flush.TrySetException(new RunStoreException(refused));
                }
                else
                {
                    flush.TrySetResult();
                }
            }
        }

        public void Clear()
        {
            _runs.Clear();
            _runIndex.Clear();
            _transitions.Clear();
            _logs.Clear();
            _artifacts.Clear();
            CacheEntries.Clear();
            _flushes.Clear();
        }

        /// <summary>A run's records collapse to the last one, kept at the place of the first.</summary>
        private void Add(RunRecord run)
        {
            if (_runIndex.TryGetValue(run.Id, out var index))
            {
                _runs[index] = run;
            }
            else
            {
                _runIndex[run.Id] = _runs.Count;
                _runs.Add(run);
            }
        }
    }
}

using Flows.Engine;
using Flows.Runs;
using Flows.Stores;
using Flows.Telemetry;
using Microsoft.Extensions.Logging;

namespace Flows.Recording;

/// <summary>
/// Takes what runs record (their records and transitions, log lines, artifacts, cache entries) off the hot path: a
/// single background writer drains a queue and hands the store one <see cref="RunWriteBatch"/> per drain, so a
/// durable store commits thousands of writes in one transaction. <see cref="FlushAsync"/> is the write-through:
/// it completes once everything recorded before it is in the store (flow runs use it for their start and end).
/// A run whose record changed is queued once, not once per change: the writer reads its record and the transitions
/// not yet written from the run itself when it drains (<see cref="RunContext.TakeChanges"/>). A store that keeps live
/// runs (<see cref="ILiveRunStore"/>) is handed each run once and never written to for it; other stores that write
/// inline (<see cref="IRunStore.WritesInline"/>) are written directly and never batched. The recorder knows stores
/// only through that contract.
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
    private readonly ILiveRunStore? _live;
    private readonly Action<IReadOnlyList<CacheEntry>> _cacheEntriesWritten;
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
    /// <param name="cacheEntriesWritten">Called with cache entries once they are in the store (the cache stops serving them from memory).</param>
    public RunRecorder(
        IRunStore store, ILogger log, TimeProvider retryTime, int backlogLimit, TimeSpan outageTolerance, RunTelemetry telemetry, Action<IReadOnlyList<CacheEntry>> cacheEntriesWritten)
    {
        _store = store;
        _log = log;
        _retryTime = retryTime;
        _outageTolerance = outageTolerance;
        _telemetry = telemetry;
        _cacheEntriesWritten = cacheEntriesWritten;
        if (store.WritesInline)
        {
            _live = store as ILiveRunStore;
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

    /// <summary>A run was created: a store that keeps live runs starts reading it; other stores get it like any change.</summary>
    public void Created(RunContext run)
    {
        if (_live is not null)
        {
            _live.Track(run);
            return;
        }

        Changed(run);
    }

    /// <summary>The run's record changed: queue it unless it is queued already (the writer reads it when it drains).</summary>
    public void Changed(RunContext run)
    {
        if (_live is not null || (_queue is not null && (!run.TryMarkQueued() || _queue.TryWrite(new Write(run)))))
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
            _cacheEntriesWritten([entry]);
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

                    // Taken: the queue's list lets the run go now, so a run is not kept alive past its flush.
                    writes[i] = default;
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
                _cacheEntriesWritten(batch.CacheEntries);
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
}

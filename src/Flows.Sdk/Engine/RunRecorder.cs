using Flows.Stores;
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
internal sealed partial class RunRecorder : IAsyncDisposable
{
    /// <summary>The most writes in one batch; large enough to amortise a commit, small enough to bound a transaction.</summary>
    private const int MaxBatch = 8192;

    /// <summary>The most writes a drain may have had for the writer to keep its batch's buffers when the queue is empty.</summary>
    private const int IdleBatch = 1024;

    /// <summary>
    /// The waits before a batch the store refused with a transient error is offered again: about 8 s in all, long
    /// enough for a dropped connection to be replaced or a server to fail over, short enough not to hold up shutdown.
    /// </summary>
    private static readonly TimeSpan[] RetryDelays = [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5)];

    private readonly IRunStore _store;
    private readonly ILogger _log;
    private readonly TimeProvider _retryTime;
    private readonly InMemoryRunStore? _memory;
    private readonly DrainQueue<Write>? _queue;
    private readonly Task? _writer;

    /// <param name="store">Where the writes go.</param>
    /// <param name="log">Where the writer's own failures are logged.</param>
    /// <param name="retryTime">The clock the waits between attempts at a refused batch run on: the engine's retry clock.</param>
    /// <param name="backlogLimit">How many writes may wait before new task runs wait too.</param>
    public RunRecorder(IRunStore store, ILogger log, TimeProvider retryTime, int backlogLimit)
    {
        _store = store;
        _log = log;
        _retryTime = retryTime;
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
        if (_memory is not null || (_queue is not null && (!run.TryMarkQueued() || _queue.TryWrite(new Write(run, null)))))
        {
            return;
        }

        // A store that writes inline, or a run still ending after the recorder stopped: write the change now.
        var transitions = new List<StateTransition>();
        var record = run.TakeChanges(transitions);
        Inline(_store.WriteAsync(new RunWriteBatch { Runs = [record], Transitions = transitions }));
    }

    public void Log(RunLogEntry entry)
    {
        if (!TryQueue(entry))
        {
            Inline(_store.AddLogsAsync([entry]));
        }
    }

    public void Artifact(RunArtifact artifact)
    {
        if (!TryQueue(artifact))
        {
            Inline(_store.WriteAsync(new RunWriteBatch { Artifacts = [artifact] }));
        }
    }

    public void Cache(CacheEntry entry)
    {
        if (!TryQueue(entry))
        {
            Inline(_store.WriteAsync(new RunWriteBatch { CacheEntries = [entry] }));
            CacheEntriesWritten?.Invoke([entry]);
        }
    }

    /// <summary>
    /// Completes at once unless the store is behind by the backlog limit, then once it has caught up by half: new task
    /// runs wait here, so a store slower than the runs slows them down instead of letting the queue grow without end.
    /// </summary>
    public ValueTask WaitForRoomAsync() => _queue?.WaitForRoomAsync() ?? default;

    /// <summary>Completes when everything recorded before this call is in the store; fails when the store refused it.</summary>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        if (_queue is null)
        {
            return default;
        }

        var flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return _queue.TryWrite(new Write(null, flushed))
            ? new(flushed.Task.WaitAsync(cancellationToken))
            : new(_writer!.WaitAsync(cancellationToken));
    }

    /// <summary>Stops taking writes and waits until everything taken is in the store.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_queue is null)
        {
            return;
        }

        _queue.Complete();
        await _writer!.ConfigureAwait(false);
    }

    private bool TryQueue(object item) => _queue is not null && _queue.TryWrite(new Write(item, null));

    /// <summary>Writes to a store that writes inline, or to a durable one once the recorder has stopped (runs still ending as the engine shuts down).</summary>
    private void Inline(ValueTask write)
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
            LogWriteFailed(_log, 1, ex);
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
    }

    private async Task WriteAsync(Batch batch)
    {
        Exception? failure = null;
        if (!batch.IsEmpty)
        {
            failure = await WriteWithRetriesAsync(batch.ToWriteBatch(), batch.Count).ConfigureAwait(false);
            if (failure is null && batch.CacheEntries.Count > 0)
            {
                CacheEntriesWritten?.Invoke(batch.CacheEntries);
            }
        }

        batch.Complete(failure);
        batch.Clear();
    }

    /// <summary>
    /// Writes the batch, offering it again after a transient failure (the batch is one transaction, so a failed
    /// attempt left nothing behind); returns the error that made it give up, or null once written.
    /// </summary>
    private async Task<Exception?> WriteWithRetriesAsync(RunWriteBatch writes, int count)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await _store.WriteAsync(writes).ConfigureAwait(false);
                return null;
            }
            catch (Exception ex) when (attempt < RetryDelays.Length && _store.IsTransient(ex))
            {
                LogWriteRetried(_log, count, RetryDelays[attempt].TotalSeconds, ex);
                await Task.Delay(RetryDelays[attempt], _retryTime).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                LogWriteFailed(_log, count, ex);
                return ex;
            }
        }
    }

    [LoggerMessage(101, LogLevel.Warning, "The run store refused a batch of {Count} writes with a transient error; trying again in {DelaySeconds} s")]
    private static partial void LogWriteRetried(ILogger logger, int count, double delaySeconds, Exception exception);

    [LoggerMessage(100, LogLevel.Error, "The run store refused a batch of {Count} writes; those runs' records are incomplete")]
    private static partial void LogWriteFailed(ILogger logger, int count, Exception exception);

    /// <summary>One queued write: a record of one of the batch's kinds, or (item null) a flush marker.</summary>
    private readonly record struct Write(object? Item, TaskCompletionSource? Flushed);

    /// <summary>The writes of one drain: runs (each read once, as it is when drained), their new transitions, and the rest.</summary>
    private sealed class Batch
    {
        private readonly List<RunRecord> _runs = [];
        private readonly Dictionary<Guid, int> _runIndex = [];
        private readonly List<StateTransition> _transitions = [];
        private readonly List<RunLogEntry> _logs = [];
        private readonly List<RunArtifact> _artifacts = [];
        private readonly List<TaskCompletionSource> _flushes = [];

        public List<CacheEntry> CacheEntries { get; } = [];

        public int Count { get; private set; }

        public bool IsEmpty => _runs.Count == 0 && _transitions.Count == 0 && _logs.Count == 0 && _artifacts.Count == 0 && CacheEntries.Count == 0;

        public void Add(Write write)
        {
            Count++;
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
                    _flushes.Add(write.Flushed!);
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

        public void Complete(Exception? failure)
        {
            foreach (var flushed in _flushes)
            {
                if (failure is null)
                {
                    flushed.TrySetResult();
                }
                else
                {
                    flushed.TrySetException(new RunStoreException($"The run store could not record the run: {failure.Message}", failure));
                }
            }
        }

        public void Clear()
        {
            Count = 0;
            _runs.Clear();
            _runIndex.Clear();
            _transitions.Clear();
            _logs.Clear();
            _artifacts.Clear();
            CacheEntries.Clear();
            _flushes.Clear();
        }
    }
}

using Flows.Runs;
using Flows.Stores;

namespace Flows.Stores.Tests.Support;

/// <summary>
/// A real store behind the <see cref="IRunStore"/> boundary whose writes can be held back (<see cref="Close"/> /
/// <see cref="Open"/>), refused as a database refuses a bad row (<see cref="Refuses"/>), or refused as an unreachable
/// server refuses everything (<see cref="IsDown"/>, a transient error). Reads always go to the real store.
/// </summary>
internal sealed class FaultyStore(IRunStore inner) : IRunStore
{
    private TaskCompletionSource? _gate;
    private int _blocked;
    private int _attempts;
    private volatile bool _down;

    /// <summary>Writes that waited at the gate.</summary>
    public int BlockedWrites => Volatile.Read(ref _blocked);

    /// <summary>Every call of <see cref="WriteAsync"/>, refused or not.</summary>
    public int Attempts => Volatile.Read(ref _attempts);

    /// <summary>While true, every write fails with a transient error, as while a server restarts.</summary>
    public bool IsDown
    {
        get => _down;
        set => _down = value;
    }

    /// <summary>A batch for which this returns true is refused with a non-transient error, as a database refuses a row it cannot store.</summary>
    public Func<RunWriteBatch, bool>? Refuses { get; set; }

    /// <summary>Writes from now on wait until <see cref="Open"/>.</summary>
    public void Close() => Volatile.Write(ref _gate, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>Lets waiting and later writes through.</summary>
    public void Open() => Interlocked.Exchange(ref _gate, null)?.TrySetResult();

    public bool IsTransient(Exception exception) => exception is StoreDownException || inner.IsTransient(exception);

    public async ValueTask WriteAsync(RunWriteBatch batch, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _attempts);
        if (Volatile.Read(ref _gate) is { } gate)
        {
            Interlocked.Increment(ref _blocked);
            await gate.Task.WaitAsync(cancellationToken);
        }

        if (_down)
        {
            throw new StoreDownException();
        }

        if (Refuses?.Invoke(batch) == true)
        {
            throw new InvalidDataException("The store refused a row of this batch.");
        }

        await inner.WriteAsync(batch, cancellationToken);
    }

    public ValueTask<RunRecord?> GetRunAsync(Guid runId, CancellationToken cancellationToken = default) => inner.GetRunAsync(runId, cancellationToken);

    public ValueTask<IReadOnlyList<RunRecord>> QueryRunsAsync(RunQuery query, CancellationToken cancellationToken = default) => inner.QueryRunsAsync(query, cancellationToken);

    public ValueTask<IReadOnlyList<StateTransition>> GetTransitionsAsync(Guid runId, CancellationToken cancellationToken = default) => inner.GetTransitionsAsync(runId, cancellationToken);

    public ValueTask<IReadOnlyList<RunLogEntry>> GetLogsAsync(Guid runId, CancellationToken cancellationToken = default) => inner.GetLogsAsync(runId, cancellationToken);

    public ValueTask<IReadOnlyList<RunArtifact>> GetArtifactsAsync(Guid runId, CancellationToken cancellationToken = default) => inner.GetArtifactsAsync(runId, cancellationToken);

    public ValueTask<CacheEntry?> GetCacheEntryAsync(string key, CancellationToken cancellationToken = default) => inner.GetCacheEntryAsync(key, cancellationToken);
}

/// <summary>What <see cref="FaultyStore"/> throws while it is down: a transient error.</summary>
internal sealed class StoreDownException() : IOException("The store is down.");

using System.Collections.Concurrent;

namespace Flows.Stores.Tests.Fixtures;

/// <summary>
/// Tasks and flows under limits shared through the store, one instance per test: each counts the runs inside it at
/// once (and the most ever inside) and waits for <see cref="Proceed"/> before it ends, so a test decides when slots
/// come back. Names start with "store-shared-".
/// </summary>
public sealed class SharedLimitJobs
{
    private int _inside;
    private int _most;
    private int _started;

    /// <summary>Each release lets one waiting run end.</summary>
    public SemaphoreSlim Proceed { get; } = new(0);

    /// <summary>Runs inside their body now.</summary>
    public int Inside => Volatile.Read(ref _inside);

    /// <summary>The most runs ever inside at once.</summary>
    public int Most => Volatile.Read(ref _most);

    /// <summary>Runs that entered their body so far.</summary>
    public int Started => Volatile.Read(ref _started);

    /// <summary>When each run of the rate-limited task started (the local clock).</summary>
    public ConcurrentBag<DateTimeOffset> Starts { get; } = [];

    [Task("store-shared-slot", Tags = ["store-shared-api"])]
    public Task<int> HoldSlot(int id, CancellationToken cancellationToken) => HoldAsync(id, cancellationToken);

    [Task("store-shared-rate", Tags = ["store-shared-rated"])]
    public int Spend(int id, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Interlocked.Increment(ref _started);
        Starts.Add(DateTimeOffset.UtcNow);
        return id;
    }

    [Flow("store-shared-flow", MaxConcurrentRuns = 1)]
    public Task<int> OneAtATime(int id, CancellationToken cancellationToken) => HoldAsync(id, cancellationToken);

    [Flow("store-shared-skip", MaxConcurrentRuns = 1, Overlap = Flows.OverlapPolicy.Skip)]
    public Task<int> OneOrNone(int id, CancellationToken cancellationToken) => HoldAsync(id, cancellationToken);

    private async Task<int> HoldAsync(int id, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _started);
        var inside = Interlocked.Increment(ref _inside);
        for (var most = Most; inside > most && Interlocked.CompareExchange(ref _most, inside, most) != most; most = Most)
        {
        }

        try
        {
            await Proceed.WaitAsync(cancellationToken);
            return id;
        }
        finally
        {
            Interlocked.Decrement(ref _inside);
        }
    }
}

using Flows.Stores;

namespace Flows.Stores.Tests;

/// <summary>A store that falls behind slows new task runs down instead of letting the engine's queue grow without end.</summary>
public sealed class RecorderBackpressureTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    [Test]
    public async Task WhileTheStoreIsBehindByTheBacklogLimit_NewTaskRunsWait_AndAllRunOnceItCatchesUp()
    {
        using var folder = TestStores.NewFolder();
        await using var sqlite = new SqliteRunStore(new SqliteRunStoreOptions { Path = folder.File("flows.db") });
        var store = new GatedStore(sqlite);
        await using var engine = new FlowEngine(new FlowEngineOptions { Store = store, RecorderBacklogLimit = 100 });
        using var scope = engine.Use();
        var counted = new Counted();

        var calls = Task.WhenAll(Enumerable.Range(0, 1_000).Select(_ => counted.Run()));
        await WaitUntil(() => store.BlockedWrites > 0, "the writer waits on the store");
        await Task.Delay(200);
        var startedWhileBlocked = counted.Started;
        store.Open();
        await calls.WaitAsync(Limit);
        await engine.FlushAsync();

        Assert.That(startedWhileBlocked, Is.InRange(1, 100), "no more task runs started than the backlog limit admits");
        Assert.That(counted.Started, Is.EqualTo(1_000));
        var recorded = await sqlite.QueryRunsAsync(new RunQuery { Name = "store-counted", Limit = 2_000 });
        Assert.That(recorded.Select(r => r.State).ToList(), Has.Count.EqualTo(1_000).And.All.EqualTo(RunState.Completed));
    }

    private static async Task WaitUntil(Func<bool> condition, string what)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > Limit)
            {
                Assert.Fail($"Gave up waiting until {what}.");
            }

            await Task.Delay(5);
        }
    }

    public sealed class Counted
    {
        private int _started;

        public int Started => Volatile.Read(ref _started);

        [Task("store-counted")]
        public async Task Run()
        {
            Interlocked.Increment(ref _started);
            await Task.Yield();
        }
    }

    /// <summary>A real store whose writes wait until <see cref="Open"/> is called.</summary>
    private sealed class GatedStore(IRunStore inner) : IRunStore
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _blocked;

        public int BlockedWrites => Volatile.Read(ref _blocked);

        public void Open() => _gate.TrySetResult();

        public async ValueTask WriteAsync(RunWriteBatch batch, CancellationToken cancellationToken = default)
        {
            if (!_gate.Task.IsCompleted)
            {
                Interlocked.Increment(ref _blocked);
                await _gate.Task.WaitAsync(cancellationToken);
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
}

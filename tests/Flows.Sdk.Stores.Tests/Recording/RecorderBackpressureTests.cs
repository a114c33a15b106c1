using Flows.Runs;
using Flows.Stores;
using Flows.Stores.Sqlite;

namespace Flows.Stores.Tests.Recording;

/// <summary>A store that falls behind slows new task runs down instead of letting the engine's queue grow without end.</summary>
public sealed class RecorderBackpressureTests
{
    [Test]
    public async Task WhileTheStoreIsBehindByTheBacklogLimit_NewTaskRunsWait_AndAllRunOnceItCatchesUp()
    {
        using var folder = TestStores.NewFolder();
        await using var sqlite = new SqliteRunStore(new SqliteRunStoreOptions { Path = folder.File("flows.db") });
        var store = new FaultyStore(sqlite);
        store.Close();
        await using var engine = new FlowEngine(new FlowEngineOptions { Store = store, RecorderBacklogLimit = 100 });
        using var scope = engine.Use();
        var counted = new Counted();

        var calls = Task.WhenAll(Enumerable.Range(0, 1_000).Select(_ => counted.Run()));
        await Eventually.Until(() => store.BlockedWrites > 0, "the writer waits on the store");
        // Every call was made above; those admitted ran to their end on the thread pool, the rest wait for the backlog.
        // Once the admitted ones have ended, nothing more can start until the store opens.
        await Eventually.Until(() => counted.Started > 0 && counted.Ended == counted.Started, "the admitted task runs ended");
        var startedWhileBlocked = counted.Started;
        store.Open();
        await Eventually.Within(calls);
        await engine.FlushAsync();

        Assert.That(startedWhileBlocked, Is.InRange(1, 100), "no more task runs started than the backlog limit admits");
        Assert.That(counted.Started, Is.EqualTo(1_000));
        var recorded = await sqlite.QueryRunsAsync(new RunQuery { Name = "store-counted", Limit = 2_000 });
        Assert.That(recorded.Select(r => r.State).ToList(), Has.Count.EqualTo(1_000).And.All.EqualTo(RunState.Completed));
    }

    public sealed class Counted
    {
        private int _started;
        private int _ended;

        public int Started => Volatile.Read(ref _started);

        public int Ended => Volatile.Read(ref _ended);

        [Task("store-counted")]
        public async Task Run()
        {
            Interlocked.Increment(ref _started);
            await Task.Yield();
            Interlocked.Increment(ref _ended);
        }
    }
}

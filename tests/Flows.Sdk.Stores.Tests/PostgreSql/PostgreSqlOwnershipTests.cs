using Flows.Runs;
using Flows.Stores;
using Flows.Stores.PostgreSql;
using Flows.Stores.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Flows.Stores.Tests.PostgreSql;

/// <summary>
/// Which runs count as crashed on PostgreSQL, where processes on many machines share one store: liveness is judged
/// on the database's clock, a process never crashes its own runs, and a run wrongly taken for crashed is put back.
/// Each store instance plays one process.
/// </summary>
public sealed class PostgreSqlOwnershipTests : PostgreSqlSchemaTests
{
    private static readonly TimeSpan Beat = TimeSpan.FromSeconds(10);

    [Test]
    public async Task RunsOfAStoreWhoseHeartbeatLapsed_AreMarkedCrashed_ByAnotherStore_NamingBoth()
    {
        var (silent, run) = await SilentRunAsync();
        await using var stopsWithTheTest = silent;

        await using var watcher = await JudgeAsync();

        var crashed = await watcher.GetRunAsync(run.Id);
        Assert.That(crashed!.State, Is.EqualTo(RunState.Crashed));
        Assert.That(crashed.Error, Does.Contain($"{Environment.MachineName}, pid {Environment.ProcessId}, store owner {silent.OwnerId}, its heartbeat lapsed"), "the crash names the process that ran it");
        Assert.That(crashed.Error, Does.Contain($"found by {Environment.MachineName}, pid {Environment.ProcessId}, store owner {watcher.OwnerId}"), "and the one that judged it");
        Assert.That((await watcher.GetTransitionsAsync(run.Id)).Last().State, Is.EqualTo(RunState.Crashed));
    }

    [Test]
    public async Task AStoreJustOpened_JudgesNoLapse_UntilItHasBeatenForAHeartbeatTimeout()
    {
        var (silent, run) = await SilentRunAsync();
        await using var stopsWithTheTest = silent;
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var watcher = TestStores.Postgres(Schema, time);

        await watcher.OpenAsync();
        await BeatForAsync(watcher, time, watcher.HeartbeatTimeout - watcher.HeartbeatInterval / 2, run);
        Assert.That(await watcher.MarkCrashedRunsAsync(), Is.Zero, "in touch for less than a heartbeat timeout");

        await BeatForAsync(watcher, time, watcher.HeartbeatInterval / 2);
        Assert.That((await watcher.GetRunAsync(run.Id))!.State, Is.EqualTo(RunState.Crashed), "in touch for a heartbeat timeout");
    }

    [Test]
    public async Task AStoreThatCouldNotBeat_ConvictsNoOne_UntilItHasBeatenAgainForAHeartbeatTimeout()
    {
        var port = TcpForwarder.FreePort();
        var server = new Npgsql.NpgsqlConnectionStringBuilder(TestStores.PostgresConnectionString);
        var forwarder = TcpForwarder.Start(port, server.Host!, server.Port);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var judge = new PostgreSqlRunStore(new PostgreSqlRunStoreOptions
        {
            ConnectionString = new Npgsql.NpgsqlConnectionStringBuilder(TestStores.PostgresConnectionString) { Host = "127.0.0.1", Port = port, Timeout = 5 }.ConnectionString,
            Schema = Schema,
            TimeProvider = time,
        });
        await judge.OpenAsync();
        await BeatForAsync(judge, time, judge.HeartbeatTimeout);
        await using var peer = TestStores.Postgres(Schema, new FakeTimeProvider(DateTimeOffset.UtcNow));
        var run = TestStores.RunningFlow("outage", DateTimeOffset.UtcNow);
        await ((IRunStore)peer).SaveRunAsync(run);

        // The database goes out of the judge's reach, and its peers could not beat either meanwhile.
        await forwarder.DisposeAsync();
        await BeatForAsync(judge, time, judge.HeartbeatInterval);
        await LapseAsync(peer);
        await using (TcpForwarder.Start(port, server.Host!, server.Port))
        {
            // A heartbeat lands within an interval; from then on the judge counts a timeout of clean beats.
            await BeatForAsync(judge, time, judge.HeartbeatInterval, run);
            await BeatForAsync(judge, time, judge.HeartbeatTimeout - judge.HeartbeatInterval / 2, run);
            Assert.That((await judge.GetRunAsync(run.Id))!.State, Is.EqualTo(RunState.Running), "no verdict before a heartbeat timeout of clean beats");

            await BeatForAsync(judge, time, judge.HeartbeatInterval);
            Assert.That((await judge.GetRunAsync(run.Id))!.State, Is.EqualTo(RunState.Crashed), "a peer that has not beaten again by then is gone");
        }
    }

    [Test]
    public async Task RunsOfAStoreThatKeepsItsHeartbeat_AreLeftRunning()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var beating = TestStores.Postgres(Schema, time);
        var run = TestStores.RunningFlow("beating", time.GetUtcNow());
        await ((IRunStore)beating).SaveRunAsync(run);
        var lapsed = await LapseAsync(beating);

        time.Advance(Beat);
        await Eventually.UntilAsync(async () => await HeartbeatAsync(beating) > lapsed, "the heartbeat after the lapse");
        await using var watcher = TestStores.Postgres(Schema);
        await watcher.OpenAsync();

        Assert.That((await watcher.GetRunAsync(run.Id))!.State, Is.EqualTo(RunState.Running));
    }

    [Test]
    public async Task ProcessesWhoseClocksDisagree_NeverCrashEachOthersRuns()
    {
        var ahead = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(3));
        var behind = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(-3));
        await using var first = TestStores.Postgres(Schema, ahead);
        await using var second = TestStores.Postgres(Schema, behind);
        var early = TestStores.RunningFlow("ahead", ahead.GetUtcNow());
        var late = TestStores.RunningFlow("behind", behind.GetUtcNow());
        await ((IRunStore)first).SaveRunAsync(early);
        await ((IRunStore)second).SaveRunAsync(late);

        var crashed = await first.MarkCrashedRunsAsync() + await second.MarkCrashedRunsAsync();

        Assert.That(crashed, Is.Zero);
        Assert.That((await first.GetRunAsync(late.Id))!.State, Is.EqualTo(RunState.Running));
        Assert.That((await second.GetRunAsync(early.Id))!.State, Is.EqualTo(RunState.Running));
    }

    [Test]
    public async Task AHeartbeatThatFindsItsOwnerRowDeleted_RegistersAgain_AndNeverCrashesItsOwnRuns()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var store = TestStores.Postgres(Schema, time);
        var run = TestStores.RunningFlow("alive", time.GetUtcNow());
        await ((IRunStore)store).SaveRunAsync(run);

        // A peer removed this process's owner row, as one does for a process it judged gone.
        await TestStores.ScalarAsync($"DELETE FROM \"{Schema}\".flows_owners WHERE id = '{store.OwnerId}'");
        time.Advance(Beat);
        await Eventually.UntilAsync(
            async () => await HeartbeatAsync(store) is not null || (await store.GetRunAsync(run.Id))!.State != RunState.Running,
            "the heartbeat after the owner row was deleted");

        Assert.That(await HeartbeatAsync(store), Is.Not.Null, "the owner registered again");
        Assert.That((await store.GetRunAsync(run.Id))!.State, Is.EqualTo(RunState.Running));
        Assert.That(await store.GetTransitionsAsync(run.Id), Has.None.Matches<StateTransition>(t => t.State == RunState.Crashed));
    }

    [Test]
    public async Task ARunWronglyMarkedCrashed_IsPutBackByItsLiveProcessOnItsNextHeartbeat_AndItsTransitionsSaySo()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var paused = TestStores.Postgres(Schema, time);
        var run = await StartAsync(paused, time);
        await using var peer = await CrashByPeerAsync(paused, run);

        time.Advance(Beat);
        await Eventually.UntilAsync(async () => (await peer.GetRunAsync(run.Id))!.State != RunState.Crashed, "the heartbeat that puts the run back");

        var restored = await peer.GetRunAsync(run.Id);
        Assert.That((restored!.State, restored.EndedAt, restored.Error), Is.EqualTo((RunState.Running, (DateTimeOffset?)null, (string?)null)));
        await AssertPutBackAsync(peer, run);
        await ((IRunStore)paused).WriteAsync(Finished(run, time));
        Assert.That((await peer.GetRunAsync(run.Id))!.State, Is.EqualTo(RunState.Completed), "its later updates land");
        Assert.That((await peer.GetTransitionsAsync(run.Id)).Select(t => t.State), Is.EqualTo(new[] { RunState.Running, RunState.Crashed, RunState.Running, RunState.Completed }));
    }

    [Test]
    public async Task ARunWronglyMarkedCrashed_WhoseProcessWritesBeforeItsHeartbeat_IsPutBackFirst_AndItsTransitionsSaySo()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var paused = TestStores.Postgres(Schema, time);
        var run = await StartAsync(paused, time);
        await using var peer = await CrashByPeerAsync(paused, run);

        await ((IRunStore)paused).WriteAsync(Finished(run, time));

        var finished = await peer.GetRunAsync(run.Id);
        Assert.That((finished!.State, finished.Error), Is.EqualTo((RunState.Completed, (string?)null)));
        Assert.That((await peer.GetTransitionsAsync(run.Id)).Select(t => t.State), Is.EqualTo(new[] { RunState.Running, RunState.Crashed, RunState.Running, RunState.Completed }));
        await AssertPutBackAsync(peer, run);
        Assert.That(await HeartbeatAsync(paused), Is.Not.Null, "the owner registered again");
    }

    /// <summary>A running flow with its Running transition, written by <paramref name="store"/>.</summary>
    private static async Task<RunRecord> StartAsync(PostgreSqlRunStore store, TimeProvider time)
    {
        var run = TestStores.RunningFlow("paused", time.GetUtcNow()) with { StartedAt = time.GetUtcNow() };
        await ((IRunStore)store).WriteAsync(new RunWriteBatch { Runs = [run], Transitions = [new StateTransition(run.Id, RunState.Running, run.CreatedAt, 1)] });
        return run;
    }

    private static RunWriteBatch Finished(RunRecord run, TimeProvider time) => new()
    {
        Runs = [run with { State = RunState.Completed, EndedAt = time.GetUtcNow() }],
        Transitions = [new StateTransition(run.Id, RunState.Completed, time.GetUtcNow(), 1)],
    };

    /// <summary>The process of <paramref name="paused"/> stops beating for two minutes, and a peer takes its run for crashed.</summary>
    private async Task<PostgreSqlRunStore> CrashByPeerAsync(PostgreSqlRunStore paused, RunRecord run)
    {
        await LapseAsync(paused);
        var peer = await JudgeAsync();
        Assert.That((await peer.GetRunAsync(run.Id))!.State, Is.EqualTo(RunState.Crashed), "the peer took the paused process for gone");
        return peer;
    }

    /// <summary>The run's transitions say it was wrongly marked crashed, by whom and when, and which process put it back.</summary>
    private static async Task AssertPutBackAsync(PostgreSqlRunStore peer, RunRecord run)
    {
        var transitions = await peer.GetTransitionsAsync(run.Id);
        var crash = transitions.Single(t => t.State == RunState.Crashed);
        var putBack = transitions[transitions.ToList().IndexOf(crash) + 1];
        Assert.That(putBack.State, Is.EqualTo(RunState.Running));
        Assert.That(putBack.Message, Does.Contain("wrongly marked Crashed").And.Contain(peer.OwnerId.ToString()).And.Contain(crash.Timestamp.ToString("O", System.Globalization.CultureInfo.InvariantCulture)));
    }

    /// <summary>A store that wrote a running flow and then fell silent (its clock never moves; its last heartbeat is two minutes old).</summary>
    private async Task<(PostgreSqlRunStore Silent, RunRecord Run)> SilentRunAsync()
    {
        var silent = TestStores.Postgres(Schema, new FakeTimeProvider(DateTimeOffset.UtcNow));
        var run = TestStores.RunningFlow("lapsed", DateTimeOffset.UtcNow);
        await ((IRunStore)silent).SaveRunAsync(run);
        await LapseAsync(silent);
        return (silent, run);
    }

    /// <summary>A store on a clock of its own that has been in touch with the database for a heartbeat timeout, so its sweeps judge lapses.</summary>
    private async Task<PostgreSqlRunStore> JudgeAsync()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var judge = TestStores.Postgres(Schema, time);
        await judge.OpenAsync();
        await BeatForAsync(judge, time, judge.HeartbeatTimeout);
        return judge;
    }

    /// <summary>
    /// Advances the store's clock by <paramref name="span"/>, one tick of its heartbeat timer at a time, waiting for what
    /// each tick set off (a heartbeat, a sweep); with <paramref name="stillRunning"/>, checks after each that it is not crashed.
    /// </summary>
    private static async Task BeatForAsync(PostgreSqlRunStore store, FakeTimeProvider time, TimeSpan span, RunRecord? stillRunning = null)
    {
        var tick = store.HeartbeatInterval / 2;
        for (var elapsed = TimeSpan.Zero; elapsed < span; elapsed += tick)
        {
            time.Advance(tick);
            await store.Ticking.WaitAsync(TimeSpan.FromSeconds(30));
            if (stillRunning is not null)
            {
                Assert.That((await store.GetRunAsync(stillRunning.Id))!.State, Is.EqualTo(RunState.Running), $"{elapsed + tick} after the store was in touch");
            }
        }
    }

    /// <summary>Moves the store's last heartbeat two minutes back on the database's clock, as if its process had been paused; returns it.</summary>
    private async Task<DateTime> LapseAsync(PostgreSqlRunStore store) =>
        (DateTime)(await TestStores.ScalarAsync(
            $"UPDATE \"{Schema}\".flows_owners SET heartbeat_at = clock_timestamp() - interval '2 minutes' WHERE id = '{store.OwnerId}' RETURNING heartbeat_at"))!;

    /// <summary>The store's registered heartbeat, or null when it has no owner row.</summary>
    private async Task<DateTime?> HeartbeatAsync(PostgreSqlRunStore store) =>
        await TestStores.ScalarAsync($"SELECT heartbeat_at FROM \"{Schema}\".flows_owners WHERE id = '{store.OwnerId}'") as DateTime?;
}

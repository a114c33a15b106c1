using Flows.Runs;
using Flows.Stores;
using Flows.Stores.Sqlite;

namespace Flows.Orchestration.Tests.Cluster;

/// <summary>
/// Real child processes, each a host with orchestration and one deployment firing every second ("* * * * * *"),
/// sharing one store: each slot of a ten-second window must produce exactly one run.
/// </summary>
[NonParallelizable]
public sealed class ClusterSlotTests
{
    private const int Slots = 10;
    private const int TrailingSlots = 3;
    private const int SlotFired = 4010;
    private const int DuplicateSlotSkipped = 4011;

    [Test]
    public async Task ThreeHostsOnOnePostgreSqlDatabase_StartedTogether_FireEachSlotOnce()
    {
        var (runs, events) = await RunOnANewPostgreSqlDatabaseAsync(staggered: false);

        Assert.Multiple(() =>
        {
            Assert.That(runs.Values, Is.All.EqualTo(1), "runs per slot in the run store");
            Assert.That(events.Values.Select(e => e.Fired + e.Duplicates), Is.All.EqualTo(1),
                "Quartz firings per slot over the three processes (clustered: each slot acquired by one node)");
        });
    }

    // The start-up trap: a host that rewrote an unchanged trigger while another fired it would fire the current slot
    // again. Hosts 2 and 3 start (and reconcile) while host 1 fires one-second slots; every slot from host 1's first
    // to three seconds after the last host is ready must fire once.
    [Test]
    public async Task HostsJoiningWhileSlotsFire_OnOnePostgreSqlDatabase_FireEachSlotOnce()
    {
        var (runs, events) = await RunOnANewPostgreSqlDatabaseAsync(staggered: true);

        Assert.Multiple(() =>
        {
            Assert.That(runs.Count, Is.GreaterThan(TrailingSlots), "the window covers the joining hosts' start-up");
            Assert.That(runs.Values, Is.All.EqualTo(1), "runs per slot in the run store");
            Assert.That(events.Values.Select(e => e.Fired + e.Duplicates), Is.All.EqualTo(1), "Quartz firings per slot over the three processes");
        });
    }

    [Test]
    public async Task TwoHostsOnOneSqliteHome_StartedByMistake_ProduceOneRunPerSlot()
    {
        using var home = TempFolder.Create();
        await using var store = new SqliteRunStore(home.File("flows.db"));
        var (runs, events) = await RunTogetherAsync(2, store, new Dictionary<string, string> { ["Flows:Home"] = home.Path });

        // Two non-clustered schedulers on one quartz.db both fire a slot often (9 of 10 slots when measured): the run
        // key is what keeps it to one run.
        var duplicates = events.Values.Sum(e => e.Duplicates);
        await TestContext.Out.WriteLineAsync($"{Slots} slots, {events.Values.Sum(e => e.Fired + e.Duplicates)} firings over two processes, {duplicates} of them duplicates stopped by the run key.");
        Assert.Multiple(() =>
        {
            Assert.That(runs.Values, Is.All.EqualTo(1), "runs per slot in the run store");
            Assert.That(events.Values.Select(e => e.Fired), Is.All.EqualTo(1), "firings that claimed the slot's run");
        });
    }

    /// <summary>Three helpers on a PostgreSQL database of their own (clustered, as the run store's database makes them), dropped afterwards.</summary>
    private static async Task<(Dictionary<DateTimeOffset, int> Runs, Dictionary<DateTimeOffset, (int Fired, int Duplicates)> Events)> RunOnANewPostgreSqlDatabaseAsync(bool staggered)
    {
        await using var database = await ThrowAwayDatabase.CreateAsync();
        await using var store = database.OpenStore();
        return await RunTogetherAsync(3, store, new Dictionary<string, string>
        {
            ["Helper:Store"] = "postgres",
            ["Flows:Store:ConnectionString"] = database.ConnectionString,
        }, staggered);
    }

    /// <summary>
    /// Starts <paramref name="count"/> helpers at once on one store (<paramref name="staggered"/>: the first, then the
    /// others once it is ready), waits until every slot of a window has a run - <see cref="Slots"/> seconds from when
    /// all are ready, or, staggered, from the first's first slot to <see cref="TrailingSlots"/> seconds after all are ready - stops them gracefully, and returns per slot of
    /// the window the runs in the store and the firings the processes logged.
    /// </summary>
    private static async Task<(Dictionary<DateTimeOffset, int> Runs, Dictionary<DateTimeOffset, (int Fired, int Duplicates)> Events)> RunTogetherAsync(
        int count, IRunStore store, Dictionary<string, string> settings, bool staggered = false)
    {
        settings["Helper:Cron"] = "* * * * * *";
        static DateTimeOffset SlotAfterNext()
        {
            var now = DateTimeOffset.UtcNow;
            return new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero).AddSeconds(2);
        }

        var processes = new List<HelperProcess> { HelperProcess.Start("host 1", settings) };
        try
        {
            DateTimeOffset? earliest = null;
            if (staggered)
            {
                await Eventually.Within(processes[0].ReadyAsync());
                earliest = SlotAfterNext();
            }

            processes.AddRange(Enumerable.Range(2, count - 1).Select(i => HelperProcess.Start($"host {i}", settings)));
            await Eventually.Within(Task.WhenAll(processes.Select(p => p.ReadyAsync())));
            var allReady = SlotAfterNext();
            var first = earliest ?? allReady;
            // Staggered, the start-up is what is tested: a few slots after it are enough.
            var window = Enumerable.Range(0, (int)(allReady - first).TotalSeconds + (staggered ? TrailingSlots : Slots)).Select(i => first.AddSeconds(i)).ToList();
            IReadOnlyList<RunRecord> runs = [];
            await Eventually.UntilAsync(
                async () =>
                {
                    runs = await store.QueryRunsAsync(new RunQuery { Deployment = "tick", Kind = RunKind.Flow, Limit = 1000 });
                    return window.All(slot => runs.Any(r => r.ScheduledFor == slot));
                },
                $"a run for each slot from {first:O} to {window[^1]:O}");
            await Eventually.Within(Task.WhenAll(processes.Select(p => p.StopAsync())));

            runs = await store.QueryRunsAsync(new RunQuery { Deployment = "tick", Kind = RunKind.Flow, Limit = 1000 });
            var events = processes.SelectMany(p => p.SlotEvents).ToList();
            return (
                window.ToDictionary(s => s, s => runs.Count(r => r.ScheduledFor == s)),
                window.ToDictionary(s => s, s => (events.Count(e => e.Id == SlotFired && e.Slot == s), events.Count(e => e.Id == DuplicateSlotSkipped && e.Slot == s))));
        }
        catch
        {
            foreach (var process in processes)
            {
                await TestContext.Out.WriteLineAsync($"--- {process.Name}\n{process.Output}");
            }

            throw;
        }
        finally
        {
            foreach (var process in processes)
            {
                await process.DisposeAsync();
            }
        }
    }
}

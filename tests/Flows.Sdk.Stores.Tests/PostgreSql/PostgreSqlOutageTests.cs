using System.Diagnostics;
using Flows.Stores;
using Flows.Stores.PostgreSql;

namespace Flows.Stores.Tests.PostgreSql;

/// <summary>
/// A PostgreSQL server that goes down while flows run and comes back 90 s later (a failover takes 60-120 s) costs
/// nothing: the flows wait for it and every run, transition and log line is recorded.
/// </summary>
/// <remarks>
/// Slow on purpose (about two minutes): the server is really down for 90 s of wall-clock time. It runs on a cluster of
/// its own (see <see cref="ThrowAwayCluster"/>), never the shared one. The faster tests of the same logic on a fake
/// clock are in <see cref="RecorderOutageTests"/>.
/// </remarks>
[Category("Slow")]
public sealed class PostgreSqlOutageTests
{
    private const int Flows = 5;
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(90);

    [Test]
    [Description("Slow (~2 min): PostgreSQL is stopped for 90 s of real time while flows run.")]
    public async Task AServerDownFor90SecondsMidFlow_IsWaitedFor_AndNothingIsLost()
    {
        await using var cluster = await ThrowAwayCluster.StartNewAsync();
        await using var store = new PostgreSqlRunStore(cluster.ConnectionString);
        await using var engine = new FlowEngine(new FlowEngineOptions { Store = store });
        using var scope = engine.Use();
        var before = new Talkers();
        before.Go();
        await Eventually.Within(Task.WhenAll(Enumerable.Range(0, Flows).Select(i => before.Talk($"before {i}"))));
        var during = new Talkers();
        var calls = Task.WhenAll(Enumerable.Range(0, Flows).Select(i => during.Talk($"during {i}")));
        await Eventually.Until(() => during.Arrived == Flows, "the second flows started");
        await Eventually.Within(engine.FlushAsync());

        await cluster.StopAsync();
        var down = Stopwatch.StartNew();
        during.Go();
        await Eventually.Until(() => during.Said == Flows, "the second flows ran their tasks while the server was down");
        // The subject, not a synchronisation: the server stays down for the outage's length in real time (a failover's
        // 60-120 s), longer than any connection timeout, and no signal can stand in for time that must really pass.
        await Task.WhenAny(calls, Task.Delay(Outage - down.Elapsed));

        Assert.That(calls.IsCompleted, Is.False, "the flows' ends wait for the server instead of failing");
        await cluster.StartAsync();
        await calls.WaitAsync(TimeSpan.FromSeconds(60));

        var said = (await Talkers.AssertAllCompletedAsync(store)).SelectMany(Talkers.LinesOf);
        string[] expected = [.. Enumerable.Range(0, Flows).SelectMany(i => new[] { Talkers.LineOf($"before {i}"), Talkers.LineOf($"during {i}") })];
        Assert.That(said, Is.EquivalentTo(expected), "the lines of the flows before and during the outage");
    }
}

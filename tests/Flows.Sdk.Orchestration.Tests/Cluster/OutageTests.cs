using System.Globalization;
using Flows.Runs;

namespace Flows.Orchestration.Tests.Cluster;

/// <summary>
/// The database goes away for 20 s (a failover, a restart for maintenance) while three replicas work through queued
/// runs, then comes back. On a PostgreSQL server of the test's own: the shared test server must never be stopped.
/// </summary>
public sealed class OutageTests : ClusterTest
{
    private const int Runs = 150;

    /// <summary>The figure: longer than the store's heartbeat timeout, so that every replica looks dead to every other when it ends.</summary>
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(20);

    [Test]
    public async Task PostgreSqlStoppedForTwentySecondsMidLoad_EveryQueuedRunIsCompletedExactlyOnce()
    {
        var server = await ThrowAwayCluster.StartNewAsync();
        var cluster = await StartClusterAsync(3, server: server);
        // Each run holds its (unlimited) slot for 1.5 s, so that about thirty are in progress when the database stops.
        var ids = await cluster.EnqueueAsync("cluster-limited", Runs, null, "holdMs=1500");
        int InProgress() => cluster.RunLines.Where(l => l.What == "HOLD").Select(l => l.FlowRunId).Except(cluster.RunLines.Where(l => l.What == "RAN").Select(l => l.RunId)).Count();
        await Eventually.Until(() => cluster.RunLines.Count(l => l.What == "RAN") >= 20 && InProgress() > 0, "twenty runs done, others in progress");

        // Counted as the stop begins: stopping takes longer than a run's hold, so by the time it returns they have ended.
        var inProgress = InProgress();
        await server.StopAsync();
        await WaitOutTheOutageAsync();
        await server.StartAsync();
        // The test's own pooled connections died with the server; the replicas' are theirs to recover.
        Npgsql.NpgsqlConnection.ClearAllPools();
        var restarted = TimeProvider.System.GetUtcNow();

        var ended = await cluster.EndedAsync(ids, TimeSpan.FromSeconds(90));
        var ran = cluster.RunLines.Where(l => l.What == "RAN" && l.Name == "cluster-limited").ToList();
        var stored = await cluster.RunsOfAsync("cluster-limited");
        await TestContext.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"PostgreSQL stopped for {Outage.TotalSeconds:N0} s with {inProgress} runs in progress: all {Runs} runs ended {(ended.Max(r => r.EndedAt!.Value) - restarted).TotalSeconds:N1} s after it came back."));
        Assert.Multiple(() =>
        {
            Assert.That(inProgress, Is.Positive, "runs in progress when the database was stopped");
            Assert.That(stored, Has.Count.EqualTo(Runs), "flow runs in the store: one per enqueue");
            Assert.That(ended.Select(r => (r.State, r.Attempt)), Is.All.EqualTo((RunState.Completed, 1)), "each completed in its first attempt");
            Assert.That(ran.GroupBy(l => l.RunId).Where(g => g.Count() > 1).Select(g => g.Key), Is.Empty, "runs that ran more than once");
            Assert.That(ran.Select(l => l.RunId), Is.EquivalentTo(ids), "the runs the replicas ran are the runs enqueued");
        });
    }

    /// <summary>
    /// The outage itself: the database stays stopped for <see cref="Outage"/> of real time. Not a wait for something to
    /// happen - no signal can stand in for time that must pass with the database away (heartbeats lapsing, connections
    /// failing, Quartz's check-ins missing).
    /// </summary>
    private static Task WaitOutTheOutageAsync() => Task.Delay(Outage);
}

using System.Globalization;
using System.Text.Json;
using Flows.Runs;

namespace Flows.Orchestration.Tests.Cluster;

/// <summary>Queued runs over three replicas, enqueued and cancelled from a fourth process that serves nothing.</summary>
public sealed class QueueTests : ClusterTest
{
    private const int Runs = 1000;

    [Test]
    public async Task AThousandQueuedRuns_OnThreeReplicas_AreEachCompletedExactlyOnce()
    {
        var cluster = await StartClusterAsync(3);

        var ids = await cluster.EnqueueAsync("cluster-quick", Runs);
        var ended = await cluster.EndedAsync(ids, TimeSpan.FromMinutes(2));

        var stored = await cluster.RunsOfAsync("cluster-quick");
        var ran = cluster.RunLines.Where(l => l.What == "RAN" && l.Name == "cluster-quick").ToList();
        var replicaOf = ended.ToDictionary(r => r.Id, r => JsonSerializer.Deserialize<string>(r.Result!)!.Split(' ')[0]);
        await ReportAsync(ended, replicaOf);
        Assert.Multiple(() =>
        {
            Assert.That(ids.Distinct().Count(), Is.EqualTo(Runs), "distinct run ids enqueued");
            Assert.That(stored, Has.Count.EqualTo(Runs), "flow runs in the store: one per enqueue, no more");
            Assert.That(ended.Select(r => (r.State, r.Attempt)), Is.All.EqualTo((RunState.Completed, 1)), "each completed in its first attempt");
            Assert.That(ran.GroupBy(l => l.RunId).Where(g => g.Count() > 1).Select(g => g.Key), Is.Empty, "runs that ran more than once");
            Assert.That(ran.Select(l => l.RunId), Is.EquivalentTo(ids), "the runs the replicas ran are the runs enqueued");
            Assert.That(ran.Select(l => (l.RunId, l.Replica)), Is.EquivalentTo(replicaOf.Select(p => (p.Key, p.Value))),
                "the replica each run's result names is the one whose line says it ran it");
            Assert.That(replicaOf.Values.Distinct().Order(), Is.EqualTo(new[] { "r1", "r2", "r3" }), "every replica took a share");
        });
    }

    [Test]
    public async Task ACancelFromAFourthProcess_EndsARunInProgressCancelledWithinTwoSeconds_AndAQueuedOneWithoutRunningIt()
    {
        // No replica serves the queue "parked": a run enqueued there waits, as behind a busy queue.
        var cluster = await StartClusterAsync(3, new Dictionary<string, string> { ["Flows:Orchestration:Queues:0"] = "default" });
        var running = (await cluster.EnqueueAsync("cluster-slow", 1)).Single();
        var parked = (await cluster.EnqueueAsync("cluster-slow", 1, queue: "parked")).Single();
        var started = await cluster.LineAsync(running, "STARTED");

        var asked = TimeProvider.System.GetUtcNow();
        var cancelledRunning = await cluster.CancelAsync(running);
        var cancelledParked = await cluster.CancelAsync(parked);
        var ended = await cluster.EndedAsync([running, parked], Eventually.Limit);
        var tokenCancelled = await cluster.LineAsync(running, "TOKEN-CANCELLED");
        var again = await cluster.CancelAsync(running);

        var endedRunning = ended.Single(r => r.Id == running);
        var endedParked = ended.Single(r => r.Id == parked);
        await TestContext.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Cancel from a fourth process: the run's token cancelled on {started.Replica} {(tokenCancelled.At - asked).TotalMilliseconds:N0} ms after the request, the run Cancelled in the store {(endedRunning.EndedAt!.Value - asked).TotalMilliseconds:N0} ms after it."));
        Assert.Multiple(() =>
        {
            Assert.That((cancelledRunning, cancelledParked, again), Is.EqualTo((true, true, false)), "CancelAsync's answers: running, parked, running again once ended");
            Assert.That(endedRunning.State, Is.EqualTo(RunState.Cancelled), "the run in progress");
            Assert.That(tokenCancelled.Replica, Is.EqualTo(started.Replica), "cancelled where it ran");
            Assert.That(tokenCancelled.At - asked, Is.LessThanOrEqualTo(TimeSpan.FromSeconds(2)), "from the request to the run's token cancelled");
            Assert.That(endedParked.State, Is.EqualTo(RunState.Cancelled), "the queued run");
            Assert.That(endedParked.StartedAt, Is.Null, "the queued run never started");
            Assert.That(cluster.RunLines.Where(l => l.RunId == parked), Is.Empty, "no replica ran the queued run");
        });
    }

    private static async Task ReportAsync(IReadOnlyList<RunRecord> runs, Dictionary<Guid, string> replicaOf)
    {
        var latencies = runs.Select(r => (r.StartedAt!.Value - r.CreatedAt).TotalMilliseconds).Order().ToList();
        var first = runs.Min(r => r.CreatedAt);
        var lastEnqueued = runs.Max(r => r.CreatedAt);
        var lastEnded = runs.Max(r => r.EndedAt!.Value);
        double Percentile(double p) => latencies[Math.Clamp((int)Math.Ceiling(p * latencies.Count) - 1, 0, latencies.Count - 1)];
        var enqueueing = (lastEnqueued - first).TotalSeconds;
        var draining = (lastEnded - first).TotalSeconds;
        var perReplica = string.Join(", ", replicaOf.Values.GroupBy(r => r).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}"));
        await TestContext.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{runs.Count} queued runs over 3 replicas ({Environment.ProcessorCount} cores): enqueued in {enqueueing:N1} s ({runs.Count / enqueueing:N0}/s) from one client process, all ended {draining:N1} s after the first enqueue ({runs.Count / draining:N0} runs/s); start latency (StartedAt - CreatedAt) p50 {Percentile(0.50):N0} ms, p99 {Percentile(0.99):N0} ms, max {latencies[^1]:N0} ms; runs per replica: {perReplica}."));
    }
}

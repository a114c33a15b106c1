using System.Collections.Concurrent;
using Flows.Runs;

namespace Flows.Orchestration.Tests.Cluster;

/// <summary>A task tag limit (<c>Flows:Limits:cluster-slot</c> = 3) shared by three replicas on one PostgreSQL database.</summary>
public sealed class SharedLimitTests : ClusterTest
{
    private const int Limit = 3;
    private const int Contenders = 6;

    [Test]
    public async Task ATagLimitOfThree_OverThreeReplicas_IsNeverExceeded_AndAKilledReplicasSlotsComeBack()
    {
        var cluster = await StartClusterAsync(0, new Dictionary<string, string> { ["Flows:Limits:cluster-slot"] = "3" });
        // r3 alone serves "holders": it takes every slot and holds them until it dies. r1 and r2 serve the rest.
        await cluster.StartReplicasAsync(
        [
            ("r1", Serving("default")),
            ("r2", Serving("default")),
            ("r3", Serving("holders")),
        ]);
        await using var sampler = new ConcurrencySampler(cluster.ConnectionString);

        var held = await cluster.EnqueueAsync("cluster-limited", Limit, "holders", "holdMs=-1");
        await Eventually.Until(() => cluster.RunLines.Count(l => l.What == "HOLD" && l.Replica == "r3") == Limit, "r3 to hold all three slots");
        var contenders = await cluster.EnqueueAsync("cluster-limited", Contenders, null, "holdMs=400");
        await Eventually.UntilAsync(
            async () => (await cluster.RunsOfAsync("cluster-limited")).Count(r => contenders.Contains(r.Id) && r.State == RunState.Running) == Contenders,
            "r1 and r2 to have started the six contenders (each waits for a slot in its task)");
        var heldBeforeKill = cluster.RunLines.Count(l => l.What == "HOLD" && l.Replica != "r3");

        var killedAt = TimeProvider.System.GetUtcNow();
        await cluster.Replica("r3").KillAsync();
        var ended = await cluster.EndedAsync(contenders, TimeSpan.FromSeconds(60));

        var lines = cluster.RunLines.Where(l => l.Name == "cluster-hold" && l.Replica != "r3").ToList();
        var heldAfterKill = lines.Where(l => l.What == "HOLD").Min(l => l.At) - killedAt;
        await TestContext.Out.WriteLineAsync(
            $"Tag limit {Limit} over 3 replicas: at most {sampler.Max} slots held at once in the store's samples ({sampler.Samples} samples), "
            + $"at most {MostAtOnce(lines)} by r1 and r2 by their own lines; the killed replica's slots came back {heldAfterKill.TotalSeconds:N1} s after the kill.");
        Assert.Multiple(() =>
        {
            Assert.That(sampler.Max, Is.EqualTo(Limit), "most slots held at once, sampled from the store: all three while r3 held them, never more");
            Assert.That(heldBeforeKill, Is.Zero, "slots r1 and r2 got while r3 held all three");
            Assert.That(MostAtOnce(lines), Is.EqualTo(Limit), "slots r1 and r2 held at once after r3 died: all three came back");
            Assert.That(ended.Select(r => r.State), Is.All.EqualTo(RunState.Completed), "the contenders");
            Assert.That(held, Has.Count.EqualTo(Limit));
        });
    }

    private static Dictionary<string, string> Serving(string queue) => new() { ["Flows:Orchestration:Queues:0"] = queue };

    /// <summary>The most HOLD-to-FREE intervals of the lines that overlap at one moment.</summary>
    private static int MostAtOnce(IReadOnlyList<RunLine> lines)
    {
        var most = 0;
        var now = 0;
        // At equal times a FREE comes first: a slot given back and taken in the same millisecond is not two at once.
        foreach (var line in lines.OrderBy(l => l.At).ThenBy(l => l.What == "HOLD" ? 1 : 0))
        {
            now += line.What == "HOLD" ? 1 : -1;
            most = Math.Max(most, now);
        }

        return most;
    }

    /// <summary>
    /// Samples the store every 50 ms while the test runs: how many runs of the limited task are <c>Running</c> for a
    /// live store owner (a killed replica's runs stay <c>Running</c> until its owner is found gone and they are
    /// marked <c>Crashed</c>; its slots count until then, and not after).
    /// </summary>
    private sealed class ConcurrencySampler : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _sampling;
        private readonly ConcurrentBag<int> _samples = [];

        public ConcurrencySampler(string connectionString) => _sampling = SampleAsync(connectionString);

        public int Max => _samples.IsEmpty ? 0 : _samples.Max();

        public int Samples => _samples.Count;

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _sampling;
            _stop.Dispose();
        }

        private async Task SampleAsync(string connectionString)
        {
            // A sampling period, not a wait for something to happen: each tick reads the table as it is.
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
            try
            {
                while (await timer.WaitForNextTickAsync(_stop.Token))
                {
                    // The slots themselves: leases of the tag held by a live owner, as the limit counts them. (A run's
                    // recorded state lags its slot by the recorder's batching, so counting Running runs over-counts
                    // on a loaded machine.)
                    var count = await TestPostgres.ScalarAsync(connectionString, """
                        SELECT count(*) FROM flows.flows_limit_leases l
                        WHERE l.limit_key = 'tag:cluster-slot'
                          AND EXISTS (SELECT 1 FROM flows.flows_owners o WHERE o.id = l.owner_id)
                        """);
                    _samples.Add((int)(long)count!);
                }
            }
            catch (OperationCanceledException)
            {
                // Disposed: sampling is over.
            }
        }
    }
}

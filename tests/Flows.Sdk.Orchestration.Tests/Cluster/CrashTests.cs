using System.Globalization;
using System.Text.Json;
using Flows.Runs;
using Flows.Stores;

namespace Flows.Orchestration.Tests.Cluster;

/// <summary>A replica killed with SIGKILL in the middle of a run, as an out-of-memory killer or a lost machine would.</summary>
public sealed class CrashTests : ClusterTest
{
    /// <summary>
    /// How soon after the kill the run must be <c>Crashed</c>: the PostgreSQL store's heartbeat timeout (10 s) after the
    /// replica's last beat, which is at most one interval (5 s) before the kill - the "2x the check-in interval",
    /// plus the sweep's period and room for a loaded machine.
    /// </summary>
    private static readonly TimeSpan CrashNoticedWithin = TimeSpan.FromSeconds(20);

    [Test]
    public async Task AReplicaKilledMidRun_LeavesItsRunCrashed_ThenAnotherReplicaCompletesIt_WithoutRedoingItsCachedTask()
    {
        var cluster = await StartClusterAsync(3);
        var run = (await cluster.EnqueueAsync("cluster-victim", 1)).Single();
        var hanging = await cluster.LineAsync(run, "HANGING");
        var victim = cluster.Replica(hanging.Replica);
        var owner = await cluster.OwnerOfAsync(victim.Pid);

        var killedAt = TimeProvider.System.GetUtcNow();
        await victim.KillAsync();
        await cluster.RunWhenAsync(run, r => r.State == RunState.Crashed || r.Attempt > 1, "crashed", TimeSpan.FromSeconds(60));
        var completed = await cluster.RunWhenAsync(run, r => r.State.IsFinal() && r.Attempt > 1, "retried to its end", TimeSpan.FromSeconds(60));

        var crashed = (await cluster.Store.GetTransitionsAsync(run)).Where(t => t.State == RunState.Crashed).ToList();
        var tasks = await cluster.Store.QueryRunsAsync(new RunQuery { FlowRunId = run, Kind = RunKind.Task, Limit = 100 });
        var cachedRuns = cluster.RunLines.Where(l => l.Name == "cluster-victim-cached" && l.FlowRunId == run).ToList();
        var by = completed.Result is { } r ? JsonSerializer.Deserialize<string>(r) : "-";
        await TestContext.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"SIGKILL of {victim.Name} mid-run: the run Crashed {(crashed.FirstOrDefault()?.Timestamp - killedAt)?.TotalSeconds:N1} s after the kill, completed by {by} {(completed.EndedAt - killedAt)?.TotalSeconds:N1} s after it."));
        Assert.Multiple(() =>
        {
            Assert.That(crashed.Select(t => t.Attempt), Is.EqualTo(new[] { 1 }), "one Crashed transition, for the first attempt");
            Assert.That(crashed.FirstOrDefault()?.Message, Does.Contain(victim.Pid.ToString(CultureInfo.InvariantCulture)).And.Contain(owner.ToString()),
                "the crash names the killed replica's pid and store owner");
            Assert.That(crashed.FirstOrDefault()?.Timestamp - killedAt, Is.LessThanOrEqualTo(CrashNoticedWithin), "from the kill to Crashed");
            Assert.That((completed.State, completed.Attempt), Is.EqualTo((RunState.Completed, 2)), "completed in a second attempt");
            Assert.That(completed.Result is { } result ? JsonSerializer.Deserialize<string>(result) : null, Is.Not.EqualTo(victim.Name).And.Not.Null, "by another replica");
            Assert.That(tasks.Where(t => t.Name == "cluster-victim-cached").Select(t => t.State).Order(), Is.EqualTo(new[] { RunState.Completed, RunState.Cached }),
                "the cached task: run in the first attempt, a cache hit in the second");
            Assert.That(cachedRuns.Select(l => l.Replica), Is.EqualTo(new[] { victim.Name }), "the cached task's body ran once, on the killed replica");
            Assert.That(tasks.Where(t => t.Name == "cluster-victim-uncached").Select(t => t.State), Is.EqualTo(new[] { RunState.Completed, RunState.Completed }),
                "the uncached task: kept from the first attempt, run again in the second");
        });
    }
}

using System.Diagnostics;
using Flows.Stores;
using Microsoft.Extensions.Logging;

namespace Flows.Stores.Tests;

/// <summary>
/// A PostgreSQL server that goes down in the middle of a flow and comes back 90 s later (a failover takes 60-120 s)
/// costs nothing: the flow waits for it and every task run, transition and log line is recorded.
/// </summary>
/// <remarks>
/// Slow on purpose (about two minutes): the server is really down for 90 s of wall-clock time. It runs on a cluster of
/// its own (see <see cref="ThrowAwayCluster"/>), never the shared one. The faster tests of the same logic on a fake
/// clock are in <see cref="RecorderOutageTests"/>.
/// </remarks>
[Category("Slow")]
public sealed class PostgreSqlOutageTests
{
    private const int Steps = 10;
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(90);

    [Test]
    [Description("Slow (~2 min): PostgreSQL is stopped for 90 s of real time in the middle of a flow.")]
    public async Task AServerDownFor90SecondsMidFlow_IsWaitedFor_AndNothingIsLost()
    {
        await using var cluster = await ThrowAwayCluster.StartNewAsync();
        await using var store = new PostgreSqlRunStore(cluster.ConnectionString);
        await using var engine = new FlowEngine(new FlowEngineOptions { Store = store });
        using var scope = engine.Use();
        var steps = new Stepper();
        var flow = steps.Run(Steps);
        await Eventually.Until(() => steps.Done == Steps / 2, "the first half of the steps ran");
        await engine.FlushAsync().WaitAsync(Eventually.Limit);

        await cluster.StopAsync();
        var down = Stopwatch.StartNew();
        steps.Resume();
        await Eventually.Until(() => steps.Done == Steps, "the second half of the steps ran while the server was down");
        await Task.WhenAny(flow, Task.Delay(Outage - down.Elapsed));

        Assert.That(flow.IsCompleted, Is.False, "the flow's end waits for the server instead of failing");
        await cluster.StartAsync();
        await flow.WaitAsync(TimeSpan.FromSeconds(60));

        var run = (await store.QueryRunsAsync(new RunQuery { Name = "store-steps" })).Single();
        var details = (await store.GetRunDetailsAsync(run.Id))!;
        var lines = details.Logs.Where(l => l.Category.EndsWith("store-step", StringComparison.Ordinal)).Select(l => l.Message);
        Assert.That(lines, Is.EquivalentTo(Enumerable.Range(0, Steps).Select(i => $"Step {i}")), "the lines of the steps before, during and after the outage");
        Assert.That(details.Run.State, Is.EqualTo(RunState.Completed));
        Assert.That(details.Transitions.Select(t => t.State), Is.EqualTo(new[] { RunState.Pending, RunState.Running, RunState.Completed }));
        Assert.That(details.TaskRuns.Select(t => t.State).ToList(), Has.Count.EqualTo(Steps).And.All.EqualTo(RunState.Completed));
        foreach (var task in details.TaskRuns)
        {
            Assert.That((await store.GetTransitionsAsync(task.Id)).Select(t => t.State), Is.EqualTo(new[] { RunState.Pending, RunState.Running, RunState.Completed }));
        }

    }

    public sealed class Stepper
    {
        private readonly TaskCompletionSource _resume = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _done;

        public int Done => Volatile.Read(ref _done);

        public void Resume() => _resume.TrySetResult();

        /// <summary>Runs half the steps, waits for <see cref="Resume"/>, then runs the other half.</summary>
        [Flow("store-steps")]
        public async Task Run(int steps)
        {
            for (var i = 0; i < steps; i++)
            {
                if (i == steps / 2)
                {
                    await _resume.Task;
                }

                await Step(i);
            }
        }

        [Task("store-step")]
        public async Task Step(int i)
        {
            await Task.Yield();
            Flow.Logger.LogInformation("Step {Step}", i);
            Interlocked.Increment(ref _done);
        }
    }
}

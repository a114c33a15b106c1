using Flows.Runs;
using Flows.Testing;
using Flows.Tests.Fixtures;

namespace Flows.Tests.CompilerServices;

public sealed class InterceptionTests
{
    [Test]
    public async Task EveryMethodShape_IsRecordedAsACompletedTaskRun()
    {
        using var harness = new FlowTestHarness();
        var shapes = new Shapes();

        var total = await shapes.CallEveryShape();

        Assert.That(total, Is.EqualTo(2 + 2 + 1 + 2 + 2));
        Assert.That(shapes.Calls, Is.EqualTo(3));
        var names = harness.TaskRuns().Select(r => r.Name);
        Assert.That(names, Is.EqualTo(new[]
        {
            "shape-sync-void", "shape-sync-value", "shape-task", "shape-task-of-t",
            "shape-value-task", "shape-value-task-of-t", "shape-static-sync", "shape-static-async",
        }));
        Assert.That(harness.TaskRuns().Select(r => r.State), Is.All.EqualTo(RunState.Completed));
    }

    [Test]
    public async Task TaskRunsInsideAFlow_BelongToIt()
    {
        using var harness = new FlowTestHarness();

        await new Shapes().CallEveryShape();

        var flow = harness.Runs.Single();
        Assert.That(flow.Name, Is.EqualTo("shape-flow-calls-every-shape"));
        Assert.That(flow.FlowRunId, Is.EqualTo(flow.Id));
        Assert.That(harness.TaskRuns().Select(r => (r.FlowRunId, r.ParentRunId)), Is.All.EqualTo(((Guid?)flow.Id, (Guid?)flow.Id)));
    }

    [Test]
    public void TaskCalledOutsideAnyFlow_IsAStandaloneTaskRun()
    {
        using var harness = new FlowTestHarness();

        var result = Shapes.StaticSync(2, 3);

        Assert.That(result, Is.EqualTo(5));
        var run = harness.TaskRuns("shape-static-sync").Single();
        Assert.That(run.FlowRunId, Is.Null);
        Assert.That(run.ParentRunId, Is.Null);
        Assert.That(run.State, Is.EqualTo(RunState.Completed));
        Assert.That(harness.Runs, Is.Empty);
    }

    [Test]
    public void EveryTransition_IsRecordedInOrder()
    {
        using var harness = new FlowTestHarness();

        new Shapes().SyncValue(4);

        var run = harness.TaskRuns().Single();
        Assert.That(harness.Transitions(run).Select(t => t.State), Is.EqualTo(new[] { RunState.Pending, RunState.Running, RunState.Completed }));
        Assert.That(run.Attempt, Is.EqualTo(1));
        Assert.That(run.StartedAt, Is.EqualTo(harness.Time.GetUtcNow()));
    }

    [Test]
    public async Task FlowRun_RecordsItsParametersAndResult()
    {
        using var harness = new FlowTestHarness();

        await new Pipeline().Child(3);

        var run = harness.Runs.Single();
        Assert.That(run.Parameters, Is.EqualTo("""{"count":3}"""));
        Assert.That(run.Result, Is.EqualTo("6"));
    }

    [Test]
    public async Task ParallelHarnesses_NeverSeeEachOthersRuns()
    {
        async Task<IReadOnlyList<RunRecord>> RunIsolated(int count)
        {
            await Task.Yield();
            using var harness = new FlowTestHarness();
            for (var i = 0; i < count; i++)
            {
                await new Pipeline().Child(i + 1);
            }

            return harness.Runs;
        }

        var results = await Task.WhenAll(Task.Run(() => RunIsolated(20)), Task.Run(() => RunIsolated(30)));

        Assert.That(results[0], Has.Count.EqualTo(20));
        Assert.That(results[1], Has.Count.EqualTo(30));
    }
}

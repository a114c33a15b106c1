using Flows.Runs;
using Flows.Testing;
using Flows.Tests.Fixtures;

namespace Flows.Tests.Engine;

public sealed class SubflowAndHookTests
{
    [Test]
    public async Task Subflows_AreChildFlowRunsLinkedToTheirParent()
    {
        using var harness = new FlowTestHarness();

        var total = await new Pipeline().Parent(3);

        Assert.That(total, Is.EqualTo(6 + 21));
        var parent = harness.Runs.Single(r => r.Name == "pipeline-parent");
        var children = harness.Runs.Where(r => r.Name == "pipeline-child").ToList();
        Assert.That(children, Has.Count.EqualTo(2));
        Assert.That(children.Select(c => c.ParentRunId), Is.All.EqualTo(parent.Id));
        Assert.That(children.Select(c => c.FlowRunId), Is.EqualTo(children.Select(c => (Guid?)c.Id)));
        Assert.That(harness.ChildrenOf(parent).Select(r => r.Name), Is.EqualTo(new[] { "pipeline-child", "pipeline-child" }));
        foreach (var child in children)
        {
            Assert.That(harness.ChildrenOf(child).Select(r => r.Name), Is.EqualTo(new[] { "pipeline-extract", "pipeline-sum" }));
            Assert.That(harness.ChildrenOf(child).Select(r => r.FlowRunId), Is.All.EqualTo(child.Id));
        }
    }

    [Test]
    public void OnCompletion_RunsWithTheCompletedRecord()
    {
        using var harness = new FlowTestHarness();
        var hooked = new Hooked();

        hooked.Succeeds();

        Assert.That(hooked.Calls, Is.EqualTo(new[] { "completed hooked-succeeds Completed" }));
    }

    [Test]
    public void OnFailure_RunsWithTheFailedRecordAndTheErrorStillReachesTheCaller()
    {
        using var harness = new FlowTestHarness();
        var hooked = new Hooked();

        Assert.ThrowsAsync<InvalidOperationException>(() => hooked.Fails());

        Assert.That(hooked.Calls, Is.EqualTo(new[] { "failed hooked-fails Failed InvalidOperationException: bad input row 7" }));
    }

    [Test]
    public void OnFailure_OfATask_WithAParameterlessHook()
    {
        using var harness = new FlowTestHarness();
        var hooked = new Hooked();

        Assert.Throws<FormatException>(() => hooked.TaskFails());

        Assert.That(hooked.Calls, Is.EqualTo(new[] { "noticed" }));
    }

    [Test]
    public void AHookThatThrows_IsLoggedAndLeavesTheRunCompleted()
    {
        using var harness = new FlowTestHarness();

        var result = new Hooked().HookThrows();

        Assert.That(result, Is.EqualTo(42));
        var run = harness.TaskRuns("hooked-hook-throws").Single();
        Assert.That(run.State, Is.EqualTo(RunState.Completed));
        Assert.That(harness.Logs.Any(l => l.Message.Contains("hook OnCompletion failed", StringComparison.Ordinal) && l.Exception!.Contains("hook broke", StringComparison.Ordinal)), Is.True);
    }
}

using Flows.Runs;
using Flows.Testing;
using Flows.Tests.Fixtures;

namespace Flows.Tests.Engine;

public sealed class EndingHookTests
{
    [Test]
    public async Task ACancelledRun_RunsOnCancellation_NotOnFailure()
    {
        using var harness = new FlowTestHarness();
        using var cancellation = new CancellationTokenSource();
        var ending = new Ending();

        var call = ending.Waits(cancellation.Token);
        await cancellation.CancelAsync();

        Assert.CatchAsync<OperationCanceledException>(async () => await Eventually.Within(call));
        Assert.That(harness.Runs.Single().State, Is.EqualTo(RunState.Cancelled));
        Assert.That(ending.Calls, Is.EqualTo(new[] { "cancelled Cancelled" }));
    }

    [Test]
    public void ARunWhoseEngineShutsDownUnderIt_IsCrashedAndRunsOnCrashed()
    {
        var harness = new FlowTestHarness();
        var ending = new Ending();

        var call = ending.Waits(default);
        harness.Engine.Dispose();

        Assert.CatchAsync<OperationCanceledException>(async () => await Eventually.Within(call));
        var run = harness.Runs.Single();
        Assert.That(run.State, Is.EqualTo(RunState.Crashed));
        Assert.That(harness.Transitions(run).Last().State, Is.EqualTo(RunState.Crashed));
        Assert.That(ending.Calls, Is.EqualTo(new[] { "crashed Crashed" }));
        harness.Dispose();
    }

    [Test]
    public void AFailedRun_RunsOnlyOnFailure()
    {
        using var harness = new FlowTestHarness();
        var ending = new Ending();

        Assert.Throws<InvalidOperationException>(() => ending.Fails());

        Assert.That(ending.Calls, Is.EqualTo(new[] { "failed Failed" }));
    }
}

using Flows.Runs;
using Flows.Testing;
using Flows.Tests.Fixtures;

namespace Flows.Tests.Engine;

public sealed class TimeoutAndCancellationTests
{
    [Test]
    public async Task Timeout_CancelsTheRunTokenAndEndsTimedOut()
    {
        using var harness = new FlowTestHarness();

        var call = new Slow().WaitPastTimeout(default);
        harness.Time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.That(call.IsCompleted, Is.False);
        harness.Time.Advance(TimeSpan.FromSeconds(0.1));

        var thrown = Assert.ThrowsAsync<RunTimeoutException>(async () => await Eventually.Within(call));
        Assert.That(thrown!.Message, Does.Contain("Task 'slow-timeout' timed out after 5 s"));
        var run = harness.TaskRuns("slow-timeout").Single();
        Assert.That(run.State, Is.EqualTo(RunState.TimedOut));
        Assert.That(run.Duration, Is.EqualTo(TimeSpan.FromSeconds(5)));
    }

    [Test]
    public async Task Timeout_OfASynchronousTask_EndsTimedOut()
    {
        using var harness = new FlowTestHarness();

        var call = Task.Run(() => Slow.SpinPastTimeout(default));
        await Eventually.Until(() => harness.TaskRuns("slow-timeout-sync").SingleOrDefault()?.State == RunState.Running, "the attempt is running");

        harness.Time.Advance(TimeSpan.FromSeconds(5));

        Assert.ThrowsAsync<RunTimeoutException>(async () => await Eventually.Within(call));
        Assert.That(harness.TaskRuns("slow-timeout-sync").Single().State, Is.EqualTo(RunState.TimedOut));
    }

    [Test]
    public async Task CancellingTheCallersToken_EndsCancelled()
    {
        using var harness = new FlowTestHarness();
        using var cancellation = new CancellationTokenSource();

        var call = new Slow().WaitUntilCancelled(cancellation.Token);
        await cancellation.CancelAsync();

        Assert.CatchAsync<OperationCanceledException>(async () => await Eventually.Within(call));
        var run = harness.TaskRuns("slow-until-cancelled").Single();
        Assert.That(run.State, Is.EqualTo(RunState.Cancelled));
        Assert.That(harness.Transitions(run).Last().State, Is.EqualTo(RunState.Cancelled));
    }

    [Test]
    public async Task CancellingAFlow_CancelsTheTasksItRuns()
    {
        using var harness = new FlowTestHarness();
        using var cancellation = new CancellationTokenSource();

        var call = new Slow().Run(cancellation.Token);
        await Eventually.Until(() => harness.TaskRuns("slow-no-token").SingleOrDefault()?.State == RunState.Running, "the task is running");

        await cancellation.CancelAsync();

        Assert.CatchAsync<OperationCanceledException>(async () => await Eventually.Within(call));
        Assert.That(harness.TaskRuns("slow-no-token").Single().State, Is.EqualTo(RunState.Cancelled));
        Assert.That(harness.Runs.Single().State, Is.EqualTo(RunState.Cancelled));
    }

    [Test]
    public void AnAlreadyCancelledToken_EndsCancelledWithoutRunningTheBody()
    {
        using var harness = new FlowTestHarness();
        var shapes = new Shapes();

        Assert.CatchAsync<OperationCanceledException>(async () => await shapes.AsyncTask(new CancellationToken(canceled: true)));

        Assert.That(shapes.Calls, Is.Zero);
        Assert.That(harness.TaskRuns("shape-task").Single().State, Is.EqualTo(RunState.Cancelled));
    }
}

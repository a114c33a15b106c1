using Flows.Runs;
using Flows.Testing;
using Flows.Tests.Fixtures;
using Microsoft.Extensions.Configuration;

namespace Flows.Tests.Overlap;

public sealed class OverlapTests
{
    [Test]
    public async Task Queue_TheSecondRunWaitsPendingUntilTheFirstEnds()
    {
        using var harness = new FlowTestHarness();
        var flows = new Overlapping();

        var first = flows.Queue(1);
        var second = flows.Queue(2);
        harness.Time.Advance(TimeSpan.FromSeconds(7));
        Assert.That(second.IsCompleted, Is.False);
        flows.Release.SetResult();

        Assert.That(await Eventually.Within(Task.WhenAll(first, second)), Is.EqualTo(new[] { 1, 2 }));
        var waited = harness.Runs.Single(r => harness.Transitions(r).Any(RunWaits.IsWait));
        Assert.That(waited.Parameters, Does.Contain("\"id\":2"));
        Assert.That(harness.Transitions(waited).Single(RunWaits.IsWait).Message, Is.EqualTo("Waiting for a run slot of flow 'overlap-queue' (MaxConcurrentRuns 1)"));
        Assert.That(RunWaits.TotalWait(harness.Transitions(waited)), Is.EqualTo(TimeSpan.FromSeconds(7)));
        Assert.That(harness.Runs.Select(r => r.State), Is.All.EqualTo(RunState.Completed));
    }

    /// <summary>A synchronous run waiting for a run slot blocks its thread; handing it the slot must not need another pool thread.</summary>
    [Test]
    public async Task Queue_SynchronousRunsInALoopOnTwoHundredPoolThreads_AllFinish()
    {
        using var harness = new FlowTestHarness();

        await Eventually.Within(Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(() => RunTenTimes(i)))));

        Assert.That(harness.Runs.Select(r => r.State).ToList(), Has.Count.EqualTo(2_000).And.All.EqualTo(RunState.Completed));

        static void RunTenTimes(int id)
        {
            for (var i = 0; i < 10; i++)
            {
                Overlapping.QueueSync(id);
            }
        }
    }

    [Test]
    public async Task Skip_TheSecondRunIsNotRecordedAndTheCallSaysWhy()
    {
        using var harness = new FlowTestHarness();
        var flows = new Overlapping();

        var first = flows.Skip(1);
        var error = Assert.ThrowsAsync<FlowRunRejectedException>(async () => await flows.Skip(2));
        flows.Release.SetResult();

        Assert.That(await first, Is.EqualTo(1));
        Assert.That(error!.Policy, Is.EqualTo(OverlapPolicy.Skip));
        Assert.That(error.Message, Does.StartWith("Flow 'overlap-skip' was skipped: 1 run(s) of it were already in progress"));
        Assert.That(harness.Runs.Select(r => (r.Name, r.State)), Is.EqualTo(new[] { ("overlap-skip", RunState.Completed) }));
        Assert.That(await flows.Skip(3), Is.EqualTo(3), "the slot is free again once the first run ended");
    }

    [Test]
    public async Task CancelNew_TheSecondRunIsRecordedCancelledAndItsCancellationHookRuns()
    {
        using var harness = new FlowTestHarness();
        var flows = new Overlapping();

        var first = flows.CancelNew(1);
        var error = Assert.CatchAsync<OperationCanceledException>(async () => await flows.CancelNew(2));
        flows.Release.SetResult();
        await first;

        Assert.That(error, Is.TypeOf<FlowRunRejectedException>());
        var cancelled = harness.Runs.Single(r => r.State == RunState.Cancelled);
        Assert.That(cancelled.Error, Does.Contain("Flow 'overlap-cancel-new' was cancelled"));
        Assert.That(flows.Calls, Is.EqualTo(new[] { $"cancelled Cancelled {cancelled.Error}" }));
        Assert.That(harness.Runs, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task AQueuedRun_CancelledWhileWaiting_EndsCancelledAndLeavesTheSlot()
    {
        using var harness = new FlowTestHarness();
        using var cancellation = new CancellationTokenSource();
        var flows = new Overlapping();

        var first = flows.QueueWithToken(1, default);
        var second = flows.QueueWithToken(2, cancellation.Token);
        await cancellation.CancelAsync();
        Assert.CatchAsync<OperationCanceledException>(async () => await Eventually.Within(second));
        flows.Release.SetResult();
        await first;

        Assert.That(harness.Runs.Select(r => r.State), Is.EquivalentTo(new[] { RunState.Completed, RunState.Cancelled }));
        Assert.That(await Eventually.Within(flows.QueueWithToken(3, default)), Is.EqualTo(3), "the cancelled run left no slot taken");
    }

    [Test]
    public async Task MaxConcurrentRunsAndOverlap_CanBeOverriddenFromConfiguration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Flows:Flows:overlap-queue:MaxConcurrentRuns"] = "1",
            ["Flows:Flows:overlap-queue:Overlap"] = "skip",
        }).Build();
        using var harness = new FlowTestHarness(o => o.Configuration = configuration);
        var flows = new Overlapping();

        var first = flows.Queue(1);

        Assert.ThrowsAsync<FlowRunRejectedException>(async () => await flows.Queue(2));
        flows.Release.SetResult();
        await first;
    }
}

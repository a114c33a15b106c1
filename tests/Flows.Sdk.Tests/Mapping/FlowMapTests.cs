using Flows.Runs;
using Flows.Testing;
using Flows.Tests.Fixtures;

namespace Flows.Tests.Mapping;

public sealed class FlowMapTests
{
    [Test]
    public async Task Map_ReturnsResultsInInputOrder_WithAtMostMaxConcurrencyInFlight()
    {
        using var harness = new FlowTestHarness();
        var mapped = new Mapped();

        var squares = await Flow.Map(Enumerable.Range(0, 50), item => mapped.Square(item), 3);

        Assert.That(squares, Is.EqualTo(Enumerable.Range(0, 50).Select(i => i * i)));
        Assert.That(mapped.MaxInFlight, Is.EqualTo(3));
        Assert.That(harness.TaskRuns("mapped-square"), Has.Count.EqualTo(50));
    }

    [Test]
    public async Task Map_InsideAFlow_RecordsEveryItemAsATaskRunOfThatFlow()
    {
        using var harness = new FlowTestHarness();

        var squares = await new Mapped().Run(10);

        var flow = harness.Runs.Single();
        Assert.That(squares, Is.EqualTo(Enumerable.Range(0, 10).Select(i => i * i)));
        Assert.That(harness.ChildrenOf(flow).Select(r => r.Name).ToList(), Has.Count.EqualTo(10).And.All.EqualTo("mapped-square"));
    }

    [Test]
    public void TheFirstFailure_StopsTheMap_LetsCallsInFlightFinish_AndIsThrownUnchanged()
    {
        using var harness = new FlowTestHarness();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Items 0-2 start and wait at the gate; item 3 fails as it starts. Only then may the calls in flight finish,
        // so whatever the thread pool does, the failure comes first and nothing after item 3 may start.
        var map = Flow.Map(Enumerable.Range(0, 40), item => Mapped.FailsAtThree(item, gate.Task), 4);
        gate.SetResult();
        var error = Assert.ThrowsAsync<InvalidOperationException>(() => map);

        Assert.That(error!.Message, Is.EqualTo("item 3 is bad"));
        var runs = harness.TaskRuns("mapped-fails-at-three");
        Assert.That(runs, Has.Count.EqualTo(4), "items after the failure did not start");
        Assert.That(runs.Count(r => r.State == RunState.Failed), Is.EqualTo(1));
        Assert.That(runs.Where(r => r.State != RunState.Failed).Select(r => r.State), Is.All.EqualTo(RunState.Completed), "calls in flight ran to their end before the map threw");
    }

    [Test]
    public async Task AnAsyncLambda_PicksAnOverloadWithoutACast()
    {
        using var harness = new FlowTestHarness();

        var results = await Flow.Map(Enumerable.Range(1, 5), async item =>
        {
            await Task.Yield();
            return item * 10;
        }, 2);
        await Flow.Map(Enumerable.Range(1, 3), async item => await Task.Yield(), 2);

        Assert.That(results, Is.EqualTo(new[] { 10, 20, 30, 40, 50 }));
    }

    [Test]
    public void TheFirstFailure_WithTheTokenOverload_CancelsTheCallsInFlight()
    {
        using var harness = new FlowTestHarness();
        var mapped = new Mapped();

        // Item 5 fails only once items 6-8 run: a failure that came before any of them had started (three pool
        // threads preempted at once) would leave nothing to cancel.
        var error = Assert.ThrowsAsync<InvalidOperationException>(() =>
            Eventually.Within(Flow.Map(Enumerable.Range(0, 40), (item, ct) => mapped.FailsAtFiveWhileOthersWait(item, ct), 4)));

        Assert.That(error!.Message, Is.EqualTo("item 5 is bad"));
        var runs = harness.TaskRuns("mapped-fails-at-five-while-others-wait");
        Assert.That(runs.Select(r => r.State), Is.EquivalentTo(Enumerable.Repeat(RunState.Completed, 5).Append(RunState.Failed).Concat(Enumerable.Repeat(RunState.Cancelled, 3))), "items 0-4 completed, 5 failed, 6-8 were cancelled in flight and nothing after them started");
    }

    [Test]
    public async Task CancellingTheMap_StopsItWithOperationCanceled()
    {
        using var harness = new FlowTestHarness();
        using var cancellation = new CancellationTokenSource();

        var map = Flow.Map(Enumerable.Range(6, 40), (item, ct) => Mapped.FailsAtFiveHangsAfter(item, ct), 4, cancellation.Token);
        await Eventually.Until(() => harness.TaskRuns("mapped-fails-at-five-hangs-after").Count(r => r.State == RunState.Running) == 4, "four items are in flight");
        await cancellation.CancelAsync();

        Assert.CatchAsync<OperationCanceledException>(async () => await Eventually.Within(map));
        Assert.That(harness.TaskRuns("mapped-fails-at-five-hangs-after").Select(r => r.State).ToList(), Has.Count.EqualTo(4).And.All.EqualTo(RunState.Cancelled));
    }

    [Test]
    public async Task Map_OfNoItems_ReturnsNoResults()
    {
        using var harness = new FlowTestHarness();

        Assert.That(await Flow.Map(Array.Empty<int>(), item => Mapped.FailsAtFive(item), 4), Is.Empty);
    }

    [TestCase(0)]
    [TestCase(-1)]
    public void Map_WithoutAPositiveMaxConcurrency_IsRejected(int maxConcurrency)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Flow.Map([1], item => Mapped.FailsAtFive(item), maxConcurrency));
    }
}

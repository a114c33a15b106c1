using Flows.Runs;
using Flows.Testing;
using Flows.Tests.Fixtures;

namespace Flows.Tests.Limits;

/// <summary>
/// A run inherits the concurrency slots its ancestors' attempts hold, as a re-entrant lock would: a task calling a
/// task with the same limit neither deadlocks nor takes a second slot, while runs outside its tree still wait.
/// </summary>
public sealed class NestedLimitTests
{
    [Test]
    public async Task ATaskCallingATaskWithTheSameTag_UnderALimitOfOne_Finishes()
    {
        using var harness = new FlowTestHarness(o => o.Limits["nested-db"] = 1);
        var nested = new Nested();

        Assert.That(await Eventually.Within(nested.Outer(4)), Is.EqualTo(41));

        AssertCompletedWithoutWaiting(harness, "nested-outer", "nested-inner");
        ConcurrencyLimitTests.AssertFull(harness.Engine.Limits.TagSlots("nested-db")!, 1);
    }

    [Test]
    public async Task ASynchronousTaskCallingATaskWithTheSameTag_UnderALimitOfOne_Finishes()
    {
        using var harness = new FlowTestHarness(o => o.Limits["nested-db"] = 1);
        var nested = new Nested();

        Assert.That(await Eventually.Within(Task.Run(() => nested.OuterSync(4))), Is.EqualTo(41));

        AssertCompletedWithoutWaiting(harness, "nested-outer-sync", "nested-inner-sync");
        ConcurrencyLimitTests.AssertFull(harness.Engine.Limits.TagSlots("nested-db")!, 1);
    }

    [Test]
    public async Task ARecursiveTaskWithMaxConcurrencyOne_Finishes()
    {
        using var harness = new FlowTestHarness();
        var nested = new Nested();

        Assert.That(await Eventually.Within(nested.Countdown(5)), Is.EqualTo(5));

        Assert.That(harness.TaskRuns("nested-countdown").Select(r => r.State).ToList(), Has.Count.EqualTo(6).And.All.EqualTo(RunState.Completed));
        ConcurrencyLimitTests.AssertFull(ConcurrencyLimitTests.TaskGate(harness, "nested-countdown", 0), 1);
    }

    [Test]
    public async Task ARecursiveSynchronousTaskWithMaxConcurrencyOne_Finishes()
    {
        using var harness = new FlowTestHarness();
        var nested = new Nested();

        Assert.That(await Eventually.Within(Task.Run(() => nested.CountdownSync(5))), Is.EqualTo(5));

        Assert.That(harness.TaskRuns("nested-countdown-sync").Select(r => r.State).ToList(), Has.Count.EqualTo(6).And.All.EqualTo(RunState.Completed));
        ConcurrencyLimitTests.AssertFull(ConcurrencyLimitTests.TaskGate(harness, "nested-countdown-sync", 0), 1);
    }

    [Test]
    public async Task ASiblingOutsideTheHoldersTree_StillWaitsForTheSlot()
    {
        using var harness = new FlowTestHarness(o => o.Limits["nested-db"] = 1);
        var nested = new Nested();

        var flow = nested.Siblings();
        await Eventually.Within(nested.HeldStarted.Task);
        var sibling = await WaitingRun(harness, "nested-sibling");
        harness.Time.Advance(TimeSpan.FromSeconds(2));
        nested.Release.SetResult();
        await Eventually.Within(flow);

        Assert.That(RunWaits.TotalWait(harness.Transitions(harness.TaskRuns("nested-sibling").Single())), Is.EqualTo(TimeSpan.FromSeconds(2)));
        Assert.That(harness.Transitions(sibling).Single(RunWaits.IsWait).Message, Is.EqualTo("Waiting for a slot of tag 'nested-db' (1 at a time)"));
        AssertCompletedWithoutWaiting(harness, "nested-holder", "nested-held");
        ConcurrencyLimitTests.AssertFull(harness.Engine.Limits.TagSlots("nested-db")!, 1);
    }

    [Test]
    public async Task TasksMappedInsideAHolder_ShareItsSlot_SoRunTogetherUnderALimitOfOne()
    {
        using var harness = new FlowTestHarness(o => o.Limits["nested-db"] = 1);
        var nested = new Nested();

        var mapped = nested.Mapper(8);
        await Eventually.Until(() => nested.InFlight.Started == 4, "four mapped calls run inside the mapper's slot");
        nested.Release.SetResult();

        Assert.That(await Eventually.Within(mapped), Is.EqualTo(Enumerable.Range(0, 8)));
        Assert.That(nested.InFlight.Max, Is.EqualTo(4));
        ConcurrencyLimitTests.AssertFull(harness.Engine.Limits.TagSlots("nested-db")!, 1);
    }

    [Test]
    public async Task TheTasksOfASubflowStartedByATask_InheritItsSlot()
    {
        using var harness = new FlowTestHarness(o => o.Limits["nested-db"] = 1);
        var nested = new Nested();

        Assert.That(await Eventually.Within(nested.StartsFlow(3)), Is.EqualTo(30));

        AssertCompletedWithoutWaiting(harness, "nested-starts-flow", "nested-inner");
        Assert.That(harness.Runs.Single().State, Is.EqualTo(RunState.Completed));
    }

    [Test]
    public async Task AChildThatOutlivesItsParentsAttempt_KeepsTheSlotUntilItEnds()
    {
        using var harness = new FlowTestHarness(o => o.Limits["nested-db"] = 1);
        var nested = new Nested();

        await Eventually.Within(nested.Forgets());
        await Eventually.Within(nested.HeldStarted.Task);
        var sibling = nested.Sibling();
        await WaitingRun(harness, "nested-sibling");
        Assert.That(harness.TaskRuns("nested-forgets").Single().State, Is.EqualTo(RunState.Completed));

        nested.Release.SetResult();
        await Eventually.Within(Task.WhenAll(nested.Forgotten!, sibling));

        AssertCompletedWithoutWaiting(harness, "nested-forgets", "nested-held");
        ConcurrencyLimitTests.AssertFull(harness.Engine.Limits.TagSlots("nested-db")!, 1);
    }

    [Test]
    public async Task CancellingCallsThatShareASlot_RunningOrWaitingForAnotherLimit_LeavesEveryLimitFull()
    {
        using var harness = new FlowTestHarness(o =>
        {
            o.Limits["nested-db"] = 1;
            o.Limits["nested-z"] = 2;
        });
        using var cancellation = new CancellationTokenSource();
        var nested = new Nested();

        var fan = nested.FansOut(6, cancellation.Token);
        await Eventually.Until(() => nested.InFlight.Started == 2, "two calls share the slot of 'nested-db' and hold one of 'nested-z' each");
        await Eventually.Until(() => harness.TaskRuns("nested-waits").Count(r => harness.Transitions(r).Any(RunWaits.IsWait)) == 4, "four wait for 'nested-z'");
        await cancellation.CancelAsync();
        Assert.CatchAsync<OperationCanceledException>(async () => await Eventually.Within(fan));

        var z = harness.Engine.Limits.TagSlots("nested-z")!;
        await Eventually.Until(() => z.Limiter.GetStatistics()!.CurrentQueuedCount == 0, "the limiter counted every cancelled waiter out of its queue");
        ConcurrencyLimitTests.AssertFull(harness.Engine.Limits.TagSlots("nested-db")!, 1);
        ConcurrencyLimitTests.AssertFull(z, 2);
        await Eventually.Within(nested.Sibling());
    }

    [Test]
    public async Task ANestedCall_SpendsARatePermitOfItsOwn()
    {
        using var harness = new FlowTestHarness(o => o.RateLimits["nested-api"] = new RateLimit(2, TimeSpan.FromMinutes(1)));
        var nested = new Nested();

        await Eventually.Within(nested.RatedOuter());
        var third = nested.RatedInner();
        await WaitingRun(harness, "nested-rated-inner");
        await Eventually.AdvanceUntilDone(harness.Time, third, TimeSpan.FromMinutes(1));

        Assert.That(harness.TaskRuns().Select(r => r.State).ToList(), Has.Count.EqualTo(3).And.All.EqualTo(RunState.Completed));
    }

    /// <summary>Every run of the tasks completed, and none of them waited for a slot.</summary>
    private static void AssertCompletedWithoutWaiting(FlowTestHarness harness, params string[] tasks)
    {
        foreach (var task in tasks)
        {
            var run = harness.TaskRuns(task).Single();
            Assert.That(run.State, Is.EqualTo(RunState.Completed), task);
            Assert.That(harness.Transitions(run).Any(RunWaits.IsWait), Is.False, $"{task} waited");
        }
    }

    /// <summary>The one run of <paramref name="task"/> that is waiting, once it records its wait.</summary>
    private static async Task<RunRecord> WaitingRun(FlowTestHarness harness, string task)
    {
        RunRecord? waiting = null;
        await Eventually.Until(
            () => (waiting = harness.TaskRuns(task).SingleOrDefault(r => r.State != RunState.Completed && harness.Transitions(r).Any(RunWaits.IsWait))) is not null,
            $"a run of {task} waits for its limit");
        return waiting!;
    }
}

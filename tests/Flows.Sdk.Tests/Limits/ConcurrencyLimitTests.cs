using Flows.CompilerServices;
using Flows.Limits;
using Flows.Runs;
using Flows.Stores;
using Flows.Testing;
using Flows.Tests.Fixtures;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Time.Testing;

namespace Flows.Tests.Limits;

public sealed class ConcurrencyLimitTests
{
    private const int Many = 10_000;
    private const int Failing = 1_000;

    [Test]
    public async Task MaxConcurrency_OfTenThousandConcurrentCalls_RunsExactlyFourAtATimeAndCompletesThemAll()
    {
        using var harness = new FlowTestHarness();
        var limited = new Limited();

        var results = await Eventually.Within(Task.WhenAll(Enumerable.Range(0, Many).Select(i => limited.Four(i))));

        Assert.That(limited.MaxInFlight, Is.EqualTo(4));
        Assert.That(results, Is.EqualTo(Enumerable.Range(0, Many)));
        Assert.That(harness.TaskRuns("limited-four").Select(r => r.State).ToList(), Has.Count.EqualTo(Many).And.All.EqualTo(RunState.Completed));
        AssertFull(TaskGate(harness, "limited-four", 0), 4);
    }

    [Test]
    public async Task TagLimit_FromConfiguration_RunsExactlyFourAtATimeAcrossTenThousandCalls()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Flows:Limits:limited-db"] = "4" })
            .Build();
        using var harness = new FlowTestHarness(o => o.Configuration = configuration);
        var limited = new Limited();

        await Eventually.Within(Task.WhenAll(Enumerable.Range(0, Many).Select(i => limited.Tagged(i))));

        Assert.That(limited.MaxInFlight, Is.EqualTo(4));
        Assert.That(harness.TaskRuns("limited-tagged").Select(r => r.State).ToList(), Has.Count.EqualTo(Many).And.All.EqualTo(RunState.Completed));
        AssertFull(harness.Engine.Limits.TagSlots("limited-db")!, 4);
    }

    [Test]
    public async Task ATaskWithSeveralLimits_NeedsASlotOfEach_SoTheTightestWins()
    {
        using var harness = new FlowTestHarness(o =>
        {
            o.Limits["limited-db"] = 4;
            o.Limits["limited-api"] = 2;
        });
        var limited = new Limited();

        await Eventually.Within(Task.WhenAll(Enumerable.Range(0, 1_000).Select(_ => limited.Both())));

        Assert.That(limited.MaxInFlight, Is.EqualTo(2));
        AssertFull(TaskGate(harness, "limited-both", 0), 3);
        AssertFull(harness.Engine.Limits.TagSlots("limited-db")!, 4);
        AssertFull(harness.Engine.Limits.TagSlots("limited-api")!, 2);
    }

    [Test]
    public async Task SynchronousTasks_WaitForTheirSlotToo()
    {
        using var harness = new FlowTestHarness();
        var limited = new Limited();

        var results = await Eventually.Within(Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() => limited.Sync(i)))));

        Assert.That(limited.MaxInFlight, Is.LessThanOrEqualTo(2));
        Assert.That(results, Is.EqualTo(Enumerable.Range(0, 40)));
        AssertFull(TaskGate(harness, "limited-sync", 0), 2);
    }

    [Test]
    public async Task TwoHundredSynchronousCallsOnThePool_UnderALimitOfTwo_AllFinish()
    {
        using var harness = new FlowTestHarness();
        var limited = new Limited();

        var results = await Eventually.Within(Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(() => limited.Sync(i)))));

        Assert.That(limited.MaxInFlight, Is.LessThanOrEqualTo(2));
        Assert.That(results, Is.EqualTo(Enumerable.Range(0, 200)));
        AssertFull(TaskGate(harness, "limited-sync", 0), 2);
    }

    /// <summary>
    /// A pool thread that gives a slot back and then blocks for the next one must not strand the hand-over: waking
    /// the waiter it handed the slot to must not need a pool thread (before, it took 34 s and 143 threads for 200 × 5).
    /// </summary>
    [Test]
    public async Task SynchronousCallsInALoopOnTwoHundredPoolThreads_UnderALimitOfTwo_AllFinish()
    {
        using var harness = new FlowTestHarness();
        var limited = new Limited();

        await Eventually.Within(Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(() => CallSyncTenTimes(limited, i)))));

        Assert.That(limited.MaxInFlight, Is.LessThanOrEqualTo(2));
        Assert.That(limited.Started, Is.EqualTo(2_000));
        AssertFull(TaskGate(harness, "limited-sync", 0), 2);

        static void CallSyncTenTimes(Limited limited, int item)
        {
            for (var i = 0; i < 10; i++)
            {
                limited.Sync(item);
            }
        }
    }

    [Test]
    public async Task AWaitingRun_IsPendingWithTheReason_AndItsWaitIsTheGapToRunning()
    {
        using var harness = new FlowTestHarness(o => o.Limits["limited-db"] = 1);
        var limited = new Limited();

        var first = limited.Gated(1);
        var second = limited.Gated(2);
        harness.Time.Advance(TimeSpan.FromSeconds(3));
        limited.Release.SetResult();
        await Eventually.Within(Task.WhenAll(first, second));

        var runs = harness.TaskRuns("limited-gated");
        var waited = runs.Single(r => harness.Transitions(r).Any(RunWaits.IsWait));
        var transitions = harness.Transitions(waited);
        Assert.That(transitions.Select(t => t.State), Is.EqualTo(new[] { RunState.Pending, RunState.Pending, RunState.Running, RunState.Completed }));
        Assert.That(transitions[1].Message, Is.EqualTo("Waiting for a slot of tag 'limited-db' (1 at a time)"));
        Assert.That(RunWaits.TotalWait(transitions), Is.EqualTo(TimeSpan.FromSeconds(3)));
        Assert.That(RunWaits.TotalWait(harness.Transitions(runs.Single(r => r.Id != waited.Id))), Is.EqualTo(TimeSpan.Zero));
        Assert.That(harness.Logs.Any(l => l.RunId == waited.Id && l.Message == "Task 'limited-gated' waits for a slot of tag 'limited-db' (1 at a time)"), Is.True);
    }

    [Test]
    public async Task AfterAThousandFailingCalls_EveryLimitIsBackToFull()
    {
        using var harness = new FlowTestHarness(o => o.Limits["limited-db"] = 4);
        var limited = new Limited();

        var all = Task.WhenAll(Enumerable.Range(0, Failing).Select(_ => limited.Throws()));
        Assert.CatchAsync<InvalidOperationException>(async () => await Eventually.Within(all));

        AssertAllEndedAndEveryLimitFull(harness, "limited-throws", RunState.Failed);
    }

    [Test]
    public async Task AfterAThousandCallsThatTimeOut_EveryLimitIsBackToFull()
    {
        using var harness = new FlowTestHarness(o => o.Limits["limited-db"] = 4);
        var limited = new Limited();

        var all = Task.WhenAll(Enumerable.Range(0, Failing).Select(_ => limited.TimesOut(default)));
        // Each step times out the attempts in flight; the next ones start on the thread pool and are caught by a later step.
        await Eventually.AdvanceUntilEnded(harness.Time, all, TimeSpan.FromSeconds(5));

        Assert.That(all.IsFaulted, Is.True, "every call ended, timed out, within 30 s");
        AssertAllEndedAndEveryLimitFull(harness, "limited-times-out", RunState.TimedOut);
    }

    [Test]
    public async Task AfterAThousandCancelledCalls_RunningOrWaiting_EveryLimitIsBackToFull()
    {
        using var harness = new FlowTestHarness(o => o.Limits["limited-db"] = 4);
        using var cancellation = new CancellationTokenSource();
        var limited = new Limited();

        var all = Task.WhenAll(Enumerable.Range(0, Failing).Select(_ => limited.UntilCancelled(cancellation.Token)));
        await Eventually.Until(() => harness.TaskRuns("limited-until-cancelled").Count(r => r.State == RunState.Running) == 4, "four runs are running");
        await cancellation.CancelAsync();
        Assert.CatchAsync<OperationCanceledException>(async () => await Eventually.Within(all));

        // System.Threading.RateLimiting cancels a waiter, whose call then ends on the thread pool, and only then
        // counts it out of the queue: the last count may land just after the last call ended.
        var gate = TaskGate(harness, "limited-until-cancelled", 0);
        await Eventually.Until(() => gate.Limiter.GetStatistics()!.CurrentQueuedCount == 0, "the limiter counted every cancelled waiter out of its queue");
        AssertAllEndedAndEveryLimitFull(harness, "limited-until-cancelled", RunState.Cancelled);
    }

    [Test]
    public async Task ARetry_GivesItsSlotBackWhileItWaitsForItsDelay()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        using var engine = new FlowEngine(new FlowEngineOptions { TimeProvider = time, RetryTimeProvider = time });
        using var scope = engine.Use();
        var limited = new Limited();

        var retried = limited.Retried(fail: true);
        await Eventually.Until(() => Runs(engine).Any(r => r.State == RunState.Retrying), "the first run waits to retry");
        var other = limited.Retried(fail: false);
        await Eventually.Until(() => limited.Started == 2, "the second run holds the slot");

        Assert.That(Runs(engine).Select(r => r.State), Is.EquivalentTo(new[] { RunState.Retrying, RunState.Running }));
        limited.Release.SetResult();
        await Eventually.Within(other);
        await Eventually.AdvanceUntilDone(time, retried, TimeSpan.FromSeconds(10));
        Assert.That(Runs(engine).Select(r => (r.State, r.Attempt)), Is.EquivalentTo(new[] { (RunState.Completed, 2), (RunState.Completed, 1) }));
    }

    /// <summary>Every call ended in <paramref name="state"/>, and the task's own limit (4) and tag 'limited-db' (4) have every slot free and nobody queued.</summary>
    private static void AssertAllEndedAndEveryLimitFull(FlowTestHarness harness, string task, RunState state)
    {
        Assert.That(harness.TaskRuns(task).Select(r => r.State).ToList(), Has.Count.EqualTo(Failing).And.All.EqualTo(state));
        AssertFull(TaskGate(harness, task, 0), 4);
        AssertFull(harness.Engine.Limits.TagSlots("limited-db")!, 4);
    }

    private static List<RunRecord> Runs(FlowEngine engine) => [.. ((Stores.InMemoryRunStore)engine.Store).AllRuns];

    internal static LimitGate TaskGate(FlowTestHarness harness, string task, int index)
    {
        var descriptor = RunCatalog.All.Single(d => d.Kind == RunKind.Task && d.Name == task);
        return harness.Engine.Bind(descriptor).Limiter!.Gates[index];
    }

    internal static void AssertFull(LimitGate gate, int permits)
    {
        var statistics = gate.Limiter.GetStatistics()!;
        Assert.That((statistics.CurrentAvailablePermits, statistics.CurrentQueuedCount), Is.EqualTo((permits, 0L)), gate.Description);
    }
}

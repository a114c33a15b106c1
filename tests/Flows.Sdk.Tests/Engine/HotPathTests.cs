using System.Runtime.CompilerServices;
using Flows.Engine;
using Flows.Recording;
using Flows.Runs;
using Flows.Stores;
using Flows.Stores.Sqlite;
using Flows.Testing;
using Flows.Tests.Fixtures;

namespace Flows.Tests.Engine;

/// <summary>The cheap paths of a task call keep every behaviour of the general one.</summary>
public sealed class HotPathTests
{
    [Test]
    public void ASyncTask_LeavesTheAsyncLocalsItSets_AndItsCallerWithoutARun_AsAPlainCallWould()
    {
        using var harness = new FlowTestHarness();
        HotPath.Ambient.Value = null;

        var ranAs = HotPath.SetsAmbient("set inside");

        Assert.That(HotPath.Ambient.Value, Is.EqualTo("set inside"));
        Assert.That(Flow.RunId, Is.Null);
        Assert.That(ranAs, Is.EqualTo(harness.TaskRuns("hot-sets-ambient").Single().Id));
    }

    [Test]
    public void ASyncTask_ThatChangesNothing_LeavesItsCallersRunCurrent()
    {
        using var harness = new FlowTestHarness();

        Assert.That(HotPath.Doubled(21), Is.EqualTo(42));

        Assert.That(Flow.RunId, Is.Null);
        var run = harness.TaskRuns("hot-doubled").Single();
        Assert.That(harness.Transitions(run).Select(t => (t.State, t.Attempt, t.Timestamp)), Is.EqualTo(new[]
        {
            (RunState.Pending, 0, run.CreatedAt),
            (RunState.Running, 1, run.StartedAt!.Value),
            (RunState.Completed, 1, run.EndedAt!.Value),
        }));
    }

    [Test]
    public void AFirstAttemptFailure_ThatIsRetried_IsRecordedAndRetried_AsInsideThePipeline()
    {
        using var harness = new FlowTestHarness();

        Assert.That(HotPath.FailsOnce(fatal: false), Is.EqualTo(2));

        var run = harness.TaskRuns("hot-fails-once").Single();
        Assert.That(run.Attempt, Is.EqualTo(2));
        Assert.That(harness.Transitions(run).Select(t => (t.State, t.Attempt)), Is.EqualTo(new[]
        {
            (RunState.Pending, 0), (RunState.Running, 1), (RunState.Retrying, 1), (RunState.Running, 2), (RunState.Completed, 2),
        }));
        Assert.That(harness.Transitions(run)[2].Message, Does.StartWith("InvalidOperationException: transient first attempt"));
    }

    [Test]
    public void AFirstAttemptFailure_ThatIsNotRetried_IsThrownUnchanged_AfterOneAttempt()
    {
        using var harness = new FlowTestHarness();

        var error = Assert.Throws<ArgumentException>(() => HotPath.FailsOnce(fatal: true));

        Assert.That(error!.Message, Is.EqualTo("fatal first attempt"));
        var run = harness.TaskRuns("hot-fails-once").Single();
        Assert.That((run.State, run.Attempt, run.Error), Is.EqualTo((RunState.Failed, 1, "ArgumentException: fatal first attempt")));
        Assert.That(harness.Transitions(run).Select(t => t.State), Is.EqualTo(new[] { RunState.Pending, RunState.Running, RunState.Failed }));
    }

    [Test]
    public async Task AnAsyncTask_ThatCompletesAtOnce_HandsBackTheTaskItsBodyReturned_AndIsRecordedCompleted()
    {
        using var harness = new FlowTestHarness();

        var bare = HotPath.OwnTask(1);
        Assert.That(bare, Is.SameAs(HotPath.LastBodyTask), "a bare task's call made a second task");
        var timed = HotPath.OwnTaskTimed(2, CancellationToken.None);
        Assert.That(timed, Is.SameAs(HotPath.LastBodyTask), "a call with retries and a timeout made a second task");

        Assert.That((await bare, await timed), Is.EqualTo((1001, 1002)));
        Assert.That(harness.TaskRuns("hot-own-task").Single().State, Is.EqualTo(RunState.Completed));
        Assert.That(harness.TaskRuns("hot-own-task-timed").Single().State, Is.EqualTo(RunState.Completed));
    }

    [Test]
    public async Task AnAsyncTask_InAFlow_ThatCompletesAtOnce_HandsBackTheTaskItsBodyReturned_AsTheFlowsChild()
    {
        using var harness = new FlowTestHarness();

        var (returned, body) = await HotPathFlows.CallsOwnTask();

        Assert.That(returned, Is.SameAs(body));
        var flow = harness.Runs.Single(r => r.Name == "hot-calls-own-task");
        Assert.That(harness.TaskRuns("hot-own-task").Single().ParentRunId, Is.EqualTo(flow.Id));
    }

    [TestCase(false, TaskStatus.Faulted)]
    [TestCase(true, TaskStatus.Canceled)]
    public void AnAsyncTask_WhoseBodyThrowsInsteadOfReturningATask_ReturnsAFailedTask_AndIsRecordedFailed(bool cancelled, TaskStatus status)
    {
        using var harness = new FlowTestHarness();

        Task<int>? call = null;
        Assert.DoesNotThrow(() => call = HotPath.ThrowsAtOnce(cancelled), "the call threw instead of returning a failed task");

        // As from an async method: an OperationCanceledException cancels the task, any other exception faults it.
        Assert.That(call!.Status, Is.EqualTo(status));
        var error = cancelled ? typeof(OperationCanceledException) : typeof(InvalidOperationException);
        Assert.That(() => call.GetAwaiter().GetResult(), Throws.InstanceOf(error));
        var run = harness.TaskRuns("hot-throws-at-once").Single();
        Assert.That((run.State, run.Error), Is.EqualTo((RunState.Failed, $"{error.Name}: {(cancelled ? "cancelled" : "thrown")} before any task")));
    }

    [Test]
    public async Task ATimedAsyncAttempt_WhoseBodyThrowsInsteadOfReturningATask_IsRetried()
    {
        using var harness = new FlowTestHarness();

        Assert.That(await HotPath.ThrowsAtOnceThenReturns(CancellationToken.None), Is.EqualTo(2));

        var run = harness.TaskRuns("hot-throws-at-once-then-returns").Single();
        Assert.That(harness.Transitions(run).Select(t => t.State), Is.EqualTo(new[]
        {
            RunState.Pending, RunState.Running, RunState.Retrying, RunState.Running, RunState.Completed,
        }));
    }

    [Test]
    public void ARunDrainedBeforeItsFirstRetry_HandsOverEachTransitionOnce_AcrossTheSwitchFromImpliedToListed()
    {
        using var harness = new FlowTestHarness();
        var taken = new List<StateTransition>();

        var run = (RunContext)Drained.DrainedMidRun(taken);
        Assert.That(taken.Select(t => t.State), Is.EqualTo(new[] { RunState.Pending, RunState.Running }), "taken mid-run");
        run.TakeChanges(taken);
        run.TakeChanges(taken);

        Assert.That(taken.Select(t => (t.State, t.Attempt)), Is.EqualTo(new[]
        {
            (RunState.Pending, 0), (RunState.Running, 1), (RunState.Retrying, 1), (RunState.Running, 2), (RunState.Completed, 2),
        }));
    }

    [Test]
    public void ARunsStates_FitTheFourBitsTheLiveRunKeepsThemIn()
    {
        Assert.That(Enum.GetValues<RunState>().Select(s => (int)s), Is.All.InRange(0, 15));
    }

    [Test]
    public void OnTheSystemClock_ATaskRunWithNothingToWaitFor_StartsAtItsCreationInstant_WithoutASecondReadingOfTheClock()
    {
        var store = new InMemoryRunStore();
        using var engine = new FlowEngine(new FlowEngineOptions { Store = store });
        using var scope = engine.Use();

        HotPath.Doubled(2);

        var run = store.AllRuns.Single(r => r.Name == "hot-doubled");
        Assert.Multiple(() =>
        {
            Assert.That(run.StartedAt, Is.EqualTo(run.CreatedAt));
            Assert.That(run.EndedAt, Is.GreaterThanOrEqualTo(run.StartedAt!.Value));
        });
    }

    [Test]
    public void OnTheSystemClock_ATimedOutAttempt_EndsTimedOut_AndTheNextCallGetsATokenThatIsNotCancelled()
    {
        var store = new InMemoryRunStore();
        using var engine = new FlowEngine(new FlowEngineOptions { Store = store });
        using var scope = engine.Use();

        Assert.Throws<RunTimeoutException>(() => HotPath.TimesOut(CancellationToken.None));
        var first = HotPath.TimeoutToken(CancellationToken.None);
        var second = HotPath.TimeoutToken(CancellationToken.None);

        Assert.That(store.AllRuns.Single(r => r.Name == "hot-times-out").State, Is.EqualTo(RunState.TimedOut));
        Assert.That(first.IsCancellationRequested || second.IsCancellationRequested, Is.False);
    }

    [Test]
    public void ATimeoutSource_IsReusedOnTheSystemClock_OnlyWhenItsTimeWasNotUp()
    {
        var first = AttemptTimeout.Start(TimeSpan.FromSeconds(30), TimeProvider.System, CancellationToken.None);
        var firstToken = first.Token;
        first.Dispose();
        var reused = AttemptTimeout.Start(TimeSpan.FromMilliseconds(1), TimeProvider.System, CancellationToken.None);
        var reusedToken = reused.Token;
        reusedToken.WaitHandle.WaitOne();
        reused.Dispose();
        var fresh = AttemptTimeout.Start(TimeSpan.FromSeconds(30), TimeProvider.System, CancellationToken.None);

        Assert.That(reusedToken, Is.EqualTo(firstToken), "the source whose time was not up was reused");
        Assert.That(fresh.Token, Is.Not.EqualTo(reusedToken), "the source that fired was not");
        Assert.That(fresh.IsCancellationRequested, Is.False);
        fresh.Dispose();
    }

    [Test]
    public void ASpareTimeoutSource_StaysLinkedToItsRunsToken_AndServesOnlyThatToken()
    {
        using var flowA = new CancellationTokenSource();
        using var flowB = new CancellationTokenSource();
        using var flowC = new CancellationTokenSource();
        var first = AttemptTimeout.Start(TimeSpan.FromSeconds(30), TimeProvider.System, flowA.Token);
        var firstToken = first.Token;
        first.Dispose();
        var sameRun = AttemptTimeout.Start(TimeSpan.FromSeconds(30), TimeProvider.System, flowA.Token);
        flowA.Cancel();
        var sameRunCancelled = sameRun.IsCancellationRequested;
        var sameRunToken = sameRun.Token;
        sameRun.Dispose();

        AttemptTimeout.Start(TimeSpan.FromSeconds(30), TimeProvider.System, flowB.Token).Dispose();
        var otherRun = AttemptTimeout.Start(TimeSpan.FromSeconds(30), TimeProvider.System, flowC.Token);
        flowB.Cancel();
        var otherRunCancelledWithB = otherRun.IsCancellationRequested;
        flowC.Cancel();

        Assert.Multiple(() =>
        {
            Assert.That(sameRunToken, Is.EqualTo(firstToken), "reused under the same run token");
            Assert.That(sameRunCancelled, Is.True, "still linked: cancelling the run reaches the reused source");
            Assert.That(otherRunCancelledWithB, Is.False, "a spare linked to another run's token is not used for this run's attempt");
            Assert.That(otherRun.IsCancellationRequested, Is.True, "which is linked to its own run's token");
        });
        otherRun.Dispose();
    }

    [Test]
    public void ATimeout_FiresWhenTheRunIsCancelled()
    {
        using var run = new CancellationTokenSource();
        using var timeout = AttemptTimeout.Start(TimeSpan.FromSeconds(30), TimeProvider.System, run.Token);

        run.Cancel();

        Assert.That(timeout.IsCancellationRequested, Is.True);
    }

    [Test]
    public async Task WritingARunTheEngineRecordsLive_ReplacesItsRecord_AndAppendsToItsTransitions()
    {
        using var harness = new FlowTestHarness();
        HotPath.Doubled(1);
        var run = harness.TaskRuns("hot-doubled").Single();

        await harness.Store.WriteAsync(new RunWriteBatch
        {
            Runs = [run with { State = RunState.Crashed }],
            Transitions = [new StateTransition(run.Id, RunState.Crashed, run.EndedAt!.Value, 1, "marked by hand")],
        });

        Assert.That((await harness.Store.GetRunAsync(run.Id))!.State, Is.EqualTo(RunState.Crashed));
        Assert.That(harness.Transitions(run).Select(t => t.State), Is.EqualTo(new[] { RunState.Pending, RunState.Running, RunState.Completed, RunState.Crashed }));
        Assert.That(harness.TaskRuns("hot-doubled"), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task AFinishedRun_IsNotKeptAlive_OnceItIsWritten_ToAStoreThatKeepsCopies()
    {
        var folder = Directory.CreateTempSubdirectory("flows-retained-");
        try
        {
            await using (var engine = new FlowEngine(new FlowEngineOptions { Store = new SqliteRunStore(Path.Combine(folder.FullName, "flows.db")), OwnsStore = true }))
            {
                var run = CallAndForget(engine);
                await engine.FlushAsync();

                Assert.That(Collected(run), Is.True, "the recorder, its queue, the retry pipeline's pooled context or the engine still hold the run");
                Assert.That((await engine.Store.QueryRunsAsync(new RunQuery { Name = "hot-remembered" })).Single().Attempt, Is.EqualTo(2));
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }

        static bool Collected(WeakReference<object> run)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            return !run.TryGetTarget(out _);
        }

        // In a method of its own, so no local of the test keeps the run alive.
        [MethodImpl(MethodImplOptions.NoInlining)]
        static WeakReference<object> CallAndForget(FlowEngine engine)
        {
            using var scope = engine.Use();
            Assert.That(HotPath.Remembered(21, CancellationToken.None), Is.EqualTo(42));
            return HotPath.LastRun!;
        }
    }

    [Test]
    public async Task TheInMemoryStore_KeepsRunsPastItsFirstChunks_InOrder_AndFindsEachById()
    {
        var store = new InMemoryRunStore();
        using var engine = new FlowEngine(new FlowEngineOptions { Store = store });
        using var scope = engine.Use();

        for (var i = 0; i < 10_000; i++)
        {
            HotPath.Doubled(i);
        }

        var runs = store.AllRuns;
        Assert.That(runs, Has.Count.EqualTo(10_000));
        Assert.That(runs.Select(r => r.CreatedAt), Is.Ordered, "oldest first");
        Assert.That(runs.Select(r => r.Id).Distinct().Count(), Is.EqualTo(10_000));
        foreach (var index in new[] { 0, 15, 16, 4095, 4096, 8191, 8192, 9999 })
        {
            Assert.That((await store.GetRunAsync(runs[index].Id))!.Id, Is.EqualTo(runs[index].Id), $"run {index}");
        }
    }

    [Test]
    public void RunIds_AreVersion7Guids_ThatSortByCreationTime()
    {
        var start = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

        var ids = Enumerable.Range(0, 1000).Select(i => RunIds.Next(start.AddMilliseconds(i))).ToList();

        Assert.That(ids.Select(id => id.Version), Is.All.EqualTo(7));
        Assert.That(ids.Select(id => id.Variant & 0xC), Is.All.EqualTo(0x8));
        Assert.That(ids, Is.Ordered.Using<Guid>((a, b) => string.CompareOrdinal(a.ToString(), b.ToString())));
        Assert.That(ids.Distinct().Count(), Is.EqualTo(1000));
        Assert.That(ids[0].ToString()[..13], Is.EqualTo(Guid.CreateVersion7(start).ToString()[..13]), "the same time prefix as Guid.CreateVersion7");
    }

    [Test]
    public async Task TheRecordersQueue_HandsOverItemsInOrder_ThenWhatWasLeftAtCompletion_ThenNothing()
    {
        var queue = new DrainQueue<int>();

        // A waiting reader is woken on the thread pool: it may take a first write before a second one is made, so
        // it is woken by one write only. Items written while nobody waits are taken together, in order.
        var waiting = queue.TakeAllAsync().AsTask();
        Assert.That(waiting.IsCompleted, Is.False, "nothing was written yet");
        queue.TryWrite(1);
        var woken = await Eventually.Within(waiting);
        Assert.That(woken, Is.EqualTo(new[] { 1 }));
        queue.Return(woken!);

        queue.TryWrite(2);
        queue.TryWrite(3);
        var taken = await queue.TakeAllAsync();
        Assert.That(taken, Is.EqualTo(new[] { 2, 3 }));
        queue.Return(taken!);
        queue.TryWrite(4);
        queue.Complete();

        Assert.That(queue.TryWrite(5), Is.False);
        Assert.That(await queue.TakeAllAsync(), Is.EqualTo(new[] { 4 }));
        Assert.That(await queue.TakeAllAsync(), Is.Null);
    }
}

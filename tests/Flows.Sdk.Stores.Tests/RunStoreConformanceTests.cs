using System.Text.Json;
using Flows.Runs;
using Flows.Stores;
using Flows.Stores.Sql;
using Flows.Stores.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Flows.Stores.Tests;

/// <summary>
/// What every <see cref="IRunStore"/> must do, run against the in-memory, SQLite and PostgreSQL stores alike.
/// Timestamps are whole microseconds, the finest PostgreSQL keeps.
/// </summary>
public abstract partial class RunStoreConformanceTests
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 1, 6, 0, 0, 123, TimeSpan.Zero);

    private IRunStore _store = null!;

    /// <summary>A new, empty store.</summary>
    protected abstract Task<IRunStore> CreateStoreAsync();

    /// <summary>Another store over the same data, as the next process would open it.</summary>
    protected abstract Task<IRunStore> ReopenAsync();

    protected abstract Task CleanUpAsync();

    [SetUp]
    public async Task CreateStore() => _store = await CreateStoreAsync();

    [TearDown]
    public Task CleanUp() => CleanUpAsync();

    [Test]
    public async Task SavedRun_ReadsBackEveryField()
    {
        var run = Run("load", RunKind.Task, RunState.Failed) with
        {
            FlowRunId = Guid.CreateVersion7(),
            ParentRunId = Guid.CreateVersion7(),
            Attempt = 3,
            Parameters = """{"state":"OH"}""",
            Result = "42",
            CacheKey = "load:abc",
            Error = "HttpRequestException: gone",
            Tags = ["van-api", "nightly"],
            Version = "1.2",
            StartedAt = T0.AddSeconds(1),
            EndedAt = T0.AddSeconds(2.5),
            Deployment = "voter-sync-ohio",
            ScheduledFor = T0.AddSeconds(-0.5),
        };

        await _store.SaveRunAsync(run);
        var read = await _store.GetRunAsync(run.Id);

        Assert.That(read, Is.EqualTo(run).Using<RunRecord>(SameRun));
    }

    [Test]
    public async Task SavingARunAgain_ReplacesItsSnapshot()
    {
        var run = Run("load", RunKind.Task, RunState.Running);
        await _store.SaveRunAsync(run);

        await _store.SaveRunAsync(run with { State = RunState.Completed, Attempt = 2, EndedAt = T0.AddSeconds(3) });

        var read = await _store.GetRunAsync(run.Id);
        Assert.That((read!.State, read.Attempt, read.EndedAt), Is.EqualTo((RunState.Completed, 2, (DateTimeOffset?)T0.AddSeconds(3))));
        Assert.That(await _store.QueryRunsAsync(new RunQuery()), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task AFinishedRunWrittenAgain_ByTheSameOrANewStoreInstance_IsReplaced_AndTheRestOfItsBatchLands()
    {
        var run = Run("load", RunKind.Task, RunState.Completed) with { Result = "1", EndedAt = T0.AddSeconds(1) };
        await _store.SaveRunAsync(run);
        await _store.SaveRunAsync(run with { Result = "2" });
        var next = await ReopenAsync();
        var fresh = Run("save", RunKind.Task, RunState.Completed, T0.AddSeconds(2));

        await next.WriteAsync(new RunWriteBatch
        {
            Runs = [run with { State = RunState.Failed, Result = null, Error = "late", EndedAt = T0.AddSeconds(4) }, fresh],
            Transitions = [new StateTransition(fresh.Id, RunState.Completed, T0.AddSeconds(2), 1)],
        });

        var read = await next.GetRunAsync(run.Id);
        Assert.That((read!.State, read.Result, read.Error), Is.EqualTo((RunState.Failed, (string?)null, "late")), "the stored run is replaced, not refused as a duplicate");
        Assert.That(await next.QueryRunsAsync(new RunQuery()), Has.Count.EqualTo(2));
        Assert.That(await next.GetTransitionsAsync(fresh.Id), Has.Count.EqualTo(1), "the batch's other writes land with it");
    }

    [Test]
    public async Task UnknownIds_FindNothing()
    {
        var id = Guid.CreateVersion7();

        Assert.That(await _store.GetRunAsync(id), Is.Null);
        Assert.That(await _store.GetTransitionsAsync(id), Is.Empty);
        Assert.That(await _store.GetLogsAsync(id), Is.Empty);
        Assert.That(await _store.GetArtifactsAsync(id), Is.Empty);
        Assert.That(await _store.GetCacheEntryAsync("nothing:here"), Is.Null);
    }

    [Test]
    public async Task QueryRuns_FiltersByFlowStateKindAndTimeWindow()
    {
        var a = Run("sync", RunKind.Flow, RunState.Completed, T0);
        var b = Run("sync", RunKind.Flow, RunState.Failed, T0.AddMinutes(1));
        var c = Run("report", RunKind.Flow, RunState.Completed, T0.AddMinutes(2));
        var d = Run("sync", RunKind.Task, RunState.Completed, T0.AddMinutes(3));
        await _store.WriteAsync(new RunWriteBatch { Runs = [a, b, c, d] });

        Assert.Multiple(async () =>
        {
            Assert.That(Ids(await _store.QueryRunsAsync(new RunQuery { Name = "sync", Kind = RunKind.Flow })), Is.EqualTo(Ids([b, a])));
            Assert.That(Ids(await _store.QueryRunsAsync(new RunQuery { State = RunState.Completed, Kind = RunKind.Flow })), Is.EqualTo(Ids([c, a])));
            Assert.That(Ids(await _store.QueryRunsAsync(new RunQuery { CreatedAfter = T0.AddMinutes(1), CreatedBefore = T0.AddMinutes(3) })), Is.EqualTo(Ids([c, b])));
        });
    }

    [Test]
    public async Task QueryRuns_PagesNewestFirst_LaterCreatedFirstWithinATick()
    {
        var runs = Enumerable.Range(0, 5).Select(i => Run("page", RunKind.Task, RunState.Completed, T0.AddSeconds(i / 2))).ToList();
        foreach (var run in runs)
        {
            await _store.SaveRunAsync(run);
        }

        var first = await _store.QueryRunsAsync(new RunQuery { Limit = 2 });
        var second = await _store.QueryRunsAsync(new RunQuery { Offset = 2, Limit = 2 });
        var third = await _store.QueryRunsAsync(new RunQuery { Offset = 4, Limit = 2 });

        Assert.That(Ids([.. first, .. second, .. third]), Is.EqualTo(Ids([runs[4], runs[3], runs[2], runs[1], runs[0]])));
    }

    [Test]
    public async Task QueryRuns_ByParentAndFlowRun_FindTheRunsAFlowStarted()
    {
        var flow = Run("parent", RunKind.Flow, RunState.Running);
        var child = Run("child", RunKind.Task, RunState.Completed) with { FlowRunId = flow.Id, ParentRunId = flow.Id };
        await _store.WriteAsync(new RunWriteBatch { Runs = [flow with { FlowRunId = flow.Id }, child, Run("other", RunKind.Task, RunState.Completed)] });

        Assert.That(Ids(await _store.QueryRunsAsync(new RunQuery { ParentRunId = flow.Id })), Is.EqualTo(Ids([child])));
        Assert.That(await _store.QueryRunsAsync(new RunQuery { FlowRunId = flow.Id }), Has.Count.EqualTo(2));
    }

    [Test]
    public async Task Transitions_ComeBackInTheOrderTheyHappened()
    {
        var id = Guid.CreateVersion7();
        StateTransition[] transitions =
        [
            new(id, RunState.Pending, T0, 0),
            new(id, RunState.Running, T0, 1),
            new(id, RunState.Retrying, T0.AddSeconds(1), 1, "IOException: reset. Retrying in 5 s."),
            new(id, RunState.Running, T0.AddSeconds(6), 2),
            new(id, RunState.Completed, T0.AddSeconds(7), 2),
        ];

        await _store.AddTransitionsAsync(transitions[..2]);
        await _store.AddTransitionsAsync(transitions[2..]);

        Assert.That(await _store.GetTransitionsAsync(id), Is.EqualTo(transitions));
    }

    [Test]
    public async Task LogsOfAFlowRun_IncludeItsTaskRuns_WithLevelTimeMessageAndProperties()
    {
        var flow = Guid.CreateVersion7();
        var task = Guid.CreateVersion7();
        RunLogEntry[] logs =
        [
            new(flow, flow, T0, LogLevel.Information, "Flows.Flow.sync", "Syncing 2 states", Properties: new Dictionary<string, string?> { ["Count"] = "2" }),
            new(task, flow, T0.AddSeconds(1), LogLevel.Warning, "Flows.Task.download", "Slow", "System.TimeoutException: slow"),
            new(Guid.CreateVersion7(), null, T0, LogLevel.Error, "elsewhere", "not this flow"),
        ];

        await _store.AddLogsAsync(logs);
        var flowLogs = await _store.GetLogsAsync(flow);
        var taskLogs = await _store.GetLogsAsync(task);

        Assert.That(flowLogs.Select(Describe), Is.EqualTo(logs[..2].Select(Describe)));
        Assert.That(flowLogs[0].Properties, Is.EqualTo(logs[0].Properties));
        Assert.That(taskLogs.Select(Describe), Is.EqualTo(new[] { Describe(logs[1]) }));
    }

    [Test]
    public async Task Artifacts_AreKeptPerRun_AndAFlowRunSeesThoseOfItsTasks()
    {
        var flow = Guid.CreateVersion7();
        var task = Guid.CreateVersion7();
        RunArtifact[] artifacts =
        [
            new(Guid.CreateVersion7(), task, flow, "loaded", ArtifactKind.Table, """[{"state":"OH","rows":3}]""", "rows per state", T0),
            new(Guid.CreateVersion7(), flow, flow, "summary", ArtifactKind.Markdown, "# Done\n3 rows", null, T0.AddSeconds(1)),
            new(Guid.CreateVersion7(), flow, flow, "report", ArtifactKind.Link, "https://example.org/r/1", null, T0.AddSeconds(2)),
        ];

        await _store.WriteAsync(new RunWriteBatch { Artifacts = artifacts });

        Assert.That(await _store.GetArtifactsAsync(flow), Is.EqualTo(artifacts));
        Assert.That(await _store.GetArtifactsAsync(task), Is.EqualTo(artifacts[..1]));
    }

    [Test]
    public async Task RunsOfADeployment_AreFoundNewestFirst()
    {
        var ohio = Run("voter-sync", RunKind.Flow, RunState.Completed, T0) with { Deployment = "voter-sync-ohio", ScheduledFor = T0 };
        var texas = Run("voter-sync", RunKind.Flow, RunState.Completed, T0.AddMinutes(1)) with { Deployment = "voter-sync-texas", ScheduledFor = T0 };
        var byCode = Run("voter-sync", RunKind.Flow, RunState.Completed, T0.AddMinutes(2));
        var laterOhio = Run("voter-sync", RunKind.Flow, RunState.Late, T0.AddMinutes(3)) with { Deployment = "voter-sync-ohio", ScheduledFor = T0.AddMinutes(3) };
        await _store.WriteAsync(new RunWriteBatch { Runs = [ohio, texas, byCode, laterOhio] });

        var runs = await _store.QueryRunsAsync(new RunQuery { Deployment = "voter-sync-ohio" });

        Assert.That(Ids(runs), Is.EqualTo(Ids([laterOhio, ohio])));
        Assert.That(runs.Select(r => (r.Deployment, r.ScheduledFor)), Is.EqualTo(new[] { ("voter-sync-ohio", (DateTimeOffset?)T0.AddMinutes(3)), ("voter-sync-ohio", (DateTimeOffset?)T0) }));
        Assert.That((await _store.GetRunAsync(byCode.Id))!.Deployment, Is.Null, "a run started by code has no deployment");
    }

    [Test]
    public async Task TryCreateRun_CreatesTheRunWithATransitionIntoItsState_OnlyOnce()
    {
        var run = Run("voter-sync", RunKind.Flow, RunState.Scheduled) with { Deployment = "voter-sync-ohio", ScheduledFor = T0.AddMinutes(5), Parameters = """{"state":"OH"}""" };

        var first = await _store.TryCreateRunAsync(run);
        var second = await _store.TryCreateRunAsync(run with { State = RunState.Running, Parameters = """{"state":"TX"}""" });

        Assert.That((first, second), Is.EqualTo((true, false)));
        Assert.That(await _store.GetRunAsync(run.Id), Is.EqualTo(run).Using<RunRecord>(SameRun), "the second call changed nothing");
        Assert.That(await _store.GetTransitionsAsync(run.Id), Is.EqualTo(new[] { new StateTransition(run.Id, RunState.Scheduled, T0, 0) }));
    }

    [Test]
    public async Task ConcurrentTryCreateRunsOfOneId_FromTwoStoreInstances_CreateItExactlyOnce()
    {
        var other = await ReopenAsync();
        var stores = new[] { _store, other };
        for (var round = 0; round < 5; round++)
        {
            var run = Run("voter-sync", RunKind.Flow, RunState.Scheduled) with { Deployment = "voter-sync-ohio", ScheduledFor = T0.AddMinutes(round) };
            using var go = new ManualResetEventSlim();
            var attempts = Enumerable.Range(0, 6).Select(i => Task.Run(async () =>
            {
                go.Wait(TimeSpan.FromSeconds(30));
                return await stores[i % 2].TryCreateRunAsync(run);
            })).ToList();
            go.Set();

            var created = await Task.WhenAll(attempts).WaitAsync(TimeSpan.FromSeconds(60));

            Assert.That(created.Count(c => c), Is.EqualTo(1), $"round {round}: exactly one call creates the run");
            Assert.That(await other.GetTransitionsAsync(run.Id), Has.Count.EqualTo(1), $"round {round}: one Scheduled transition");
        }
    }

    [Test]
    public async Task TryStartRun_ClaimsAScheduledRunOnce_PendingWithItsTransitions()
    {
        var run = Run("voter-sync", RunKind.Flow, RunState.Scheduled) with { Deployment = "voter-sync-ohio", ScheduledFor = T0 };
        await _store.TryCreateRunAsync(run);
        var late = new StateTransition(run.Id, RunState.Late, T0.AddMinutes(3), 0, "Late by 3 min");

        var first = await _store.TryStartRunAsync(run.Id, [late]);
        var second = await _store.TryStartRunAsync(run.Id, [late]);
        var missing = await _store.TryStartRunAsync(Guid.CreateVersion7(), []);

        Assert.That((first, second, missing), Is.EqualTo((true, false, false)));
        Assert.That((await _store.GetRunAsync(run.Id))!.State, Is.EqualTo(RunState.Pending));
        Assert.That((await _store.GetTransitionsAsync(run.Id)).Select(t => t.State), Is.EqualTo(new[] { RunState.Scheduled, RunState.Late }));
    }

    [Test]
    public async Task ACrashedRun_IsClaimedForItsNextAttemptOnce_AndOnlyAtTheAttemptThatCrashed()
    {
        var crashed = Run("voter-sync", RunKind.Flow, RunState.Crashed) with { Attempt = 1, StartedAt = T0, EndedAt = T0.AddMinutes(1), Error = "gone" };
        await _store.WriteAsync(new RunWriteBatch { Runs = [crashed], Transitions = [new StateTransition(crashed.Id, RunState.Crashed, T0.AddMinutes(1), 1, "gone")] });
        var retry = new StateTransition(crashed.Id, RunState.Pending, T0.AddMinutes(2), 2, "Retry after a crash");

        var stale = await _store.TryClaimCrashedRunAsync(crashed.Id, 0, [retry]);
        var first = await _store.TryClaimCrashedRunAsync(crashed.Id, 1, [retry]);
        var second = await _store.TryClaimCrashedRunAsync(crashed.Id, 1, [retry]);
        var missing = await _store.TryClaimCrashedRunAsync(Guid.CreateVersion7(), 1, []);

        Assert.That((stale, first, second, missing), Is.EqualTo((false, true, false, false)));
        var claimed = (await _store.GetRunAsync(crashed.Id))!;
        Assert.That((claimed.State, claimed.Attempt, claimed.StartedAt, claimed.EndedAt, claimed.Error), Is.EqualTo((RunState.Pending, 2, (DateTimeOffset?)T0, (DateTimeOffset?)null, (string?)null)));
        Assert.That((await _store.GetTransitionsAsync(crashed.Id)).Select(t => (t.State, t.Attempt)), Is.EqualTo(new[] { (RunState.Crashed, 1), (RunState.Pending, 2) }));
    }

    [Test]
    public async Task ACancelRequestForAnAttemptThatCrashed_DoesNotCarryOverToTheNextAttempt()
    {
        var running = Run("voter-sync", RunKind.Flow, RunState.Running) with { Attempt = 1, StartedAt = T0 };
        await _store.SaveRunAsync(running);
        Assert.That(await _store.RequestCancelAsync(running.Id, "stop"), Is.True);
        await _store.SaveRunAsync(running with { State = RunState.Crashed, EndedAt = T0.AddMinutes(1), Error = "gone" });

        Assert.That(await _store.TryClaimCrashedRunAsync(running.Id, 1, [new StateTransition(running.Id, RunState.Pending, T0.AddMinutes(2), 2, "Retry after a crash")]), Is.True);

        Assert.That(await _store.GetCancelRequestsAsync([running.Id]), Is.Empty);
    }

    [Test]
    public async Task ARunNotStarted_IsCancelledOnce_AndCannotBeStartedAfterwards_ButARunThatStartedIsNotCancelledSo()
    {
        var scheduled = Run("voter-sync", RunKind.Flow, RunState.Scheduled) with { Deployment = "voter-sync-ohio", ScheduledFor = T0 };
        var running = Run("voter-sync", RunKind.Flow, RunState.Running);
        await _store.TryCreateRunAsync(scheduled);
        await _store.SaveRunAsync(running);
        var cancel = new StateTransition(scheduled.Id, RunState.Cancelled, T0.AddMinutes(1), 0, "Cancelled before it started: by ops");

        var first = await _store.TryCancelScheduledRunAsync(scheduled.Id, cancel);
        var second = await _store.TryCancelScheduledRunAsync(scheduled.Id, cancel);
        var started = await _store.TryStartRunAsync(scheduled.Id, []);
        var ofRunning = await _store.TryCancelScheduledRunAsync(running.Id, cancel with { RunId = running.Id });

        Assert.That((first, second, started, ofRunning), Is.EqualTo((true, false, false, false)));
        var cancelled = (await _store.GetRunAsync(scheduled.Id))!;
        Assert.That((cancelled.State, cancelled.EndedAt, cancelled.Error), Is.EqualTo((RunState.Cancelled, (DateTimeOffset?)T0.AddMinutes(1), (string?)"Cancelled before it started: by ops")));
        Assert.That((await _store.GetTransitionsAsync(scheduled.Id)).Select(t => t.State), Is.EqualTo(new[] { RunState.Scheduled, RunState.Cancelled }));
        Assert.That((await _store.GetRunAsync(running.Id))!.State, Is.EqualTo(RunState.Running));
    }

    [Test]
    public async Task ClaimsOfOneCrash_FromTwoStoreInstancesAtOnce_AreWonByOne()
    {
        var other = await ReopenAsync();
        for (var round = 0; round < 10; round++)
        {
            var crashed = Run("voter-sync", RunKind.Flow, RunState.Crashed) with { Attempt = 1 };
            await _store.SaveRunAsync(crashed);
            using var go = new ManualResetEventSlim();
            var claims = new[] { _store, other }.Select(store => Task.Run(async () =>
            {
                go.Wait(TimeSpan.FromSeconds(30));
                return await store.TryClaimCrashedRunAsync(crashed.Id, 1, [new StateTransition(crashed.Id, RunState.Pending, T0, 2)]);
            })).ToList();
            go.Set();

            var won = await Task.WhenAll(claims).WaitAsync(TimeSpan.FromSeconds(60));

            Assert.That(won.Count(w => w), Is.EqualTo(1), $"round {round}");
            Assert.That(await _store.GetTransitionsAsync(crashed.Id), Has.Count.EqualTo(1), $"round {round}: one claim's transition");
        }
    }

    [Test]
    public async Task ConcurrentRunsOfOneScheduledRun_FromTwoStoreInstances_RunItExactlyOnce()
    {
        var other = await ReopenAsync();
        var time = new FakeTimeProvider(T0);
        var parameters = new Dictionary<string, JsonElement> { ["states"] = JsonSerializer.SerializeToElement(new[] { "OH" }) };
        await using var first = new FlowEngine(new FlowEngineOptions { Store = _store, TimeProvider = time, RetryTimeProvider = TimeProvider.System });
        await using var second = new FlowEngine(new FlowEngineOptions { Store = other, TimeProvider = time, RetryTimeProvider = TimeProvider.System });
        var engines = new[] { first, second };
        for (var round = 0; round < 10; round++)
        {
            var start = new RunStart { RunId = Guid.CreateVersion7(), Deployment = "store-sync-daily", ScheduledFor = T0.AddMinutes(round), LateAfter = TimeSpan.FromMinutes(1) };
            await first.TryScheduleRunAsync("store-sync", parameters, start);
            using var go = new ManualResetEventSlim();
            var attempts = engines.Select(engine => Task.Run(async () =>
            {
                go.Wait(TimeSpan.FromSeconds(30));
                try
                {
                    return (Run: await engine.RunAsync("store-sync", parameters, start), Refused: (InvalidOperationException?)null);
                }
                catch (InvalidOperationException ex)
                {
                    return (Run: (RunRecord?)null, Refused: ex);
                }
            })).ToList();
            go.Set();

            var outcomes = await Task.WhenAll(attempts).WaitAsync(TimeSpan.FromSeconds(60));

            Assert.That(outcomes.Count(o => o.Run is { State: RunState.Completed }), Is.EqualTo(1), $"round {round}: exactly one engine runs it");
            Assert.That(outcomes.Single(o => o.Run is null).Refused!.Message, Does.Contain("it has been started already"), $"round {round}");
            var transitions = await _store.GetTransitionsAsync(start.RunId!.Value);
            Assert.That(transitions.Count(t => t.State == RunState.Running), Is.EqualTo(1), $"round {round}: one Running transition");
            Assert.That(transitions.Count(t => t.State == RunState.Late), Is.LessThanOrEqualTo(1), $"round {round}: at most one Late transition");
            Assert.That(await _store.QueryRunsAsync(new RunQuery { Name = "store-count", FlowRunId = start.RunId }), Has.Count.EqualTo(1), $"round {round}: the flow's task ran once");
            Assert.That(await _store.QueryRunsAsync(new RunQuery { Name = "store-sync", Deployment = "store-sync-daily" }), Has.Count.EqualTo(round + 1), $"round {round}: one record per run");
        }
    }

    [Test]
    public void Late_IsAStateARunGoesOnFrom_NotAFinalOne()
    {
        Assert.That(RunState.Late.IsFinal(), Is.False);
        Assert.That(RunState.Scheduled.IsFinal(), Is.False);
        Assert.That(Enum.GetValues<RunState>().Where(s => s.IsFinal()), Is.EqualTo(new[] { RunState.Completed, RunState.Cached, RunState.Failed, RunState.TimedOut, RunState.Cancelled, RunState.Crashed }));
    }

    [Test]
    public async Task AScheduledRunByName_GoesScheduledLatePendingRunningCompleted_KeepingItsIdSlotAndDeployment()
    {
        var time = new FakeTimeProvider(T0);
        var slot = T0;
        var runId = Guid.CreateVersion7();
        await using var engine = new FlowEngine(new FlowEngineOptions { Store = _store, TimeProvider = time, RetryTimeProvider = TimeProvider.System });
        var start = new RunStart { RunId = runId, Deployment = "store-sync-daily", ScheduledFor = slot, LateAfter = TimeSpan.FromMinutes(1), Tags = ["scheduled"] };
        var parameters = new Dictionary<string, JsonElement> { ["states"] = JsonSerializer.SerializeToElement(new[] { "OH" }) };

        var scheduled = await engine.TryScheduleRunAsync("store-sync", parameters, start);
        var duplicate = await engine.TryScheduleRunAsync("store-sync", parameters, start);
        time.Advance(TimeSpan.FromMinutes(3));
        var run = await engine.RunAsync("store-sync", parameters, start);

        Assert.That(duplicate, Is.Null, "a second fire of the slot creates nothing");
        Assert.That((scheduled!.State, scheduled.Parameters), Is.EqualTo((RunState.Scheduled, (string?)"""{"states":["OH"]}""")));
        Assert.That((run.Id, run.State, run.Deployment, run.ScheduledFor, run.CreatedAt), Is.EqualTo((runId, RunState.Completed, (string?)"store-sync-daily", (DateTimeOffset?)slot, T0)));
        Assert.That(run.StartedAt, Is.EqualTo(T0.AddMinutes(3)));
        Assert.That(run.Tags, Does.Contain("scheduled"));
        var transitions = await _store.GetTransitionsAsync(runId);
        Assert.That(transitions.Select(t => (t.State, t.Timestamp)), Is.EqualTo(new[]
        {
            (RunState.Scheduled, T0), (RunState.Late, T0.AddMinutes(3)), (RunState.Pending, T0.AddMinutes(3)), (RunState.Running, T0.AddMinutes(3)), (RunState.Completed, T0.AddMinutes(3)),
        }));
        Assert.That(transitions[1].Message, Does.StartWith("Late by 3 min: started more than 1 min after its slot"));
        Assert.That(await _store.QueryRunsAsync(new RunQuery { Name = "store-sync" }), Has.Count.EqualTo(1), "one run for the slot");
    }

    [Test]
    public async Task AScheduledRunStartedWithACancelledToken_EndsCancelled_NotLeftScheduled()
    {
        await using var engine = new FlowEngine(new FlowEngineOptions { Store = _store });
        var start = new RunStart { RunId = Guid.CreateVersion7(), Deployment = "store-sync-daily", ScheduledFor = T0 };
        var parameters = new Dictionary<string, JsonElement> { ["states"] = JsonSerializer.SerializeToElement(new[] { "OH" }) };
        await engine.TryScheduleRunAsync("store-sync", parameters, start);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var run = await engine.RunAsync("store-sync", parameters, start, cancelled.Token);

        Assert.That((await _store.GetRunAsync(start.RunId!.Value))!.State, Is.EqualTo(RunState.Cancelled));
        Assert.That(run.State, Is.EqualTo(RunState.Cancelled));
        Assert.That((await _store.GetTransitionsAsync(run.Id)).Select(t => t.State), Is.EqualTo(new[] { RunState.Scheduled, RunState.Pending, RunState.Cancelled }));
        Assert.That(await _store.QueryRunsAsync(new RunQuery { Name = "store-count", FlowRunId = run.Id }), Is.Empty, "nothing of the flow ran");
    }

    [Test]
    public async Task RunningAFinishedRunIdAgain_IsRefused_AndRunsNothing()
    {
        await using var engine = new FlowEngine(new FlowEngineOptions { Store = _store });
        var start = new RunStart { RunId = Guid.CreateVersion7(), Deployment = "store-sync-daily" };
        var parameters = new Dictionary<string, JsonElement> { ["states"] = JsonSerializer.SerializeToElement(new[] { "OH" }) };
        var first = await engine.RunAsync("store-sync", parameters, start);

        var refused = Assert.ThrowsAsync<RunAlreadyStartedException>(() => engine.RunAsync("store-sync", parameters, start));

        Assert.That(first.State, Is.EqualTo(RunState.Completed));
        Assert.That(refused!.Message, Does.Contain(start.RunId.ToString()).And.Contain("'store-sync'").And.Contain("Completed"));
        Assert.That((await _store.GetTransitionsAsync(first.Id)).Select(t => t.State), Is.EqualTo(new[] { RunState.Scheduled, RunState.Pending, RunState.Running, RunState.Completed }));
        Assert.That(await _store.QueryRunsAsync(new RunQuery { Name = "store-count", FlowRunId = first.Id }), Has.Count.EqualTo(1), "the flow's task ran once");
    }

    [Test]
    public async Task CacheEntries_AreFoundByKey_AndReplacedByANewerOne()
    {
        var first = new CacheEntry("load:1", "load", "[1,2]", Guid.CreateVersion7(), T0, T0.AddHours(1));
        var second = first with { Result = "[3]", RunId = Guid.CreateVersion7(), CreatedAt = T0.AddHours(2), ExpiresAt = null };

        await _store.WriteAsync(new RunWriteBatch { CacheEntries = [first] });
        var stored = await _store.GetCacheEntryAsync("load:1");
        await _store.WriteAsync(new RunWriteBatch { CacheEntries = [second] });

        Assert.That(stored, Is.EqualTo(first));
        Assert.That(await _store.GetCacheEntryAsync("load:1"), Is.EqualTo(second));
    }

    [Test]
    public async Task History_IsThereForTheNextProcess()
    {
        var run = Run("lasting", RunKind.Flow, RunState.Completed);
        await _store.WriteAsync(new RunWriteBatch
        {
            Runs = [run],
            Transitions = [new StateTransition(run.Id, RunState.Completed, T0, 1)],
            Logs = [new RunLogEntry(run.Id, run.Id, T0, LogLevel.Information, "c", "kept")],
        });

        var next = await ReopenAsync();

        Assert.That(await next.GetRunAsync(run.Id), Is.EqualTo(run).Using<RunRecord>(SameRun));
        Assert.That((await next.GetLogsAsync(run.Id)).Single().Message, Is.EqualTo("kept"));
        Assert.That(await next.GetTransitionsAsync(run.Id), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task AFlowRunOnTheEngine_IsRecordedWithItsTaskRunsLogsAndArtifacts()
    {
        await using (var engine = new FlowEngine(new FlowEngineOptions { Store = _store }))
        using (engine.Use())
        {
            await StoreJobs.Sync(["OH", "PA"]);
        }

        var flow = (await _store.QueryRunsAsync(new RunQuery { Name = "store-sync" })).Single();
        var details = await _store.GetRunDetailsAsync(flow.Id);

        Assert.That(details!.Run.State, Is.EqualTo(RunState.Completed));
        Assert.That(details.Run.Parameters, Is.EqualTo("""{"states":["OH","PA"]}"""));
        Assert.That(details.Run.Result, Is.EqualTo("4"));
        Assert.That(details.TaskRuns.Select(r => (r.Name, r.State)), Is.EquivalentTo(new[] { ("store-count", RunState.Completed), ("store-count", RunState.Completed) }));
        Assert.That(details.Transitions.Select(t => t.State), Is.EqualTo(new[] { RunState.Pending, RunState.Running, RunState.Completed }));
        Assert.That(details.Logs.Select(l => l.Message), Has.Some.EqualTo("Counting OH"));
        Assert.That(details.Logs.Single(l => l.Message == "Counting OH").Properties!["State"], Is.EqualTo("OH"));
        Assert.That(details.Artifacts.Single().Content, Is.EqualTo("""[{"state":"OH","rows":2},{"state":"PA","rows":2}]"""));
    }

    [Test]
    public async Task ACachedResult_IsUsedByTheNextEngine()
    {
        StoreJobs.Calls = 0;
        await using (var first = new FlowEngine(new FlowEngineOptions { Store = _store }))
        using (first.Use())
        {
            StoreJobs.Expensive("OH");
        }

        var next = await ReopenAsync();
        await using (var second = new FlowEngine(new FlowEngineOptions { Store = next }))
        using (second.Use())
        {
            Assert.That(StoreJobs.Expensive("OH"), Is.EqualTo("OH!"));
        }

        Assert.That(StoreJobs.Calls, Is.EqualTo(1));
        var runs = await next.QueryRunsAsync(new RunQuery { Name = "store-expensive" });
        Assert.That(runs.Select(r => r.State), Is.EqualTo(new[] { RunState.Cached, RunState.Completed }));
    }

    [Test]
    public async Task QueryRunPage_PagesThroughTiesAndFilters_EachMatchingRunOnce_NewestFirst()
    {
        // Seven flow runs of "page", three to a clock tick, between others the filters leave out.
        var runs = new List<RunRecord>();
        for (var i = 0; i < 7; i++)
        {
            var run = Run("page", RunKind.Flow, i == 3 ? RunState.Failed : RunState.Completed, T0.AddSeconds(i / 3));
            runs.Add(run);
            await _store.WriteAsync(new RunWriteBatch { Runs = [run, Run("page", RunKind.Task, RunState.Completed, run.CreatedAt), Run("other", RunKind.Flow, RunState.Completed, run.CreatedAt)] });
        }

        var query = new RunQuery { Kind = RunKind.Flow, Name = "page", Limit = 2 };
        var seen = new List<RunRecord>();
        var pages = 0;
        for (string? token = null; pages == 0 || token is not null; pages++)
        {
            var page = await _store.QueryRunPageAsync(query with { PageToken = token });
            Assert.That(page.Runs, Has.Count.LessThanOrEqualTo(2));
            seen.AddRange(page.Runs);
            token = page.NextPageToken;
        }

        Assert.That(Ids(seen), Is.EqualTo(Ids(Enumerable.Reverse(runs))));
        Assert.That(pages, Is.EqualTo(4), "the last page says there are no more");
        var failed = await _store.QueryRunPageAsync(new RunQuery { Kind = RunKind.Flow, State = RunState.Failed, Limit = 1 });
        Assert.That((Ids(failed.Runs), failed.NextPageToken), Is.EqualTo((Ids([runs[3]]), (string?)null)));
    }

    [Test]
    public async Task QueryRunPage_RunsCreatedBetweenPages_NeitherRepeatNorShiftTheNextPage()
    {
        var runs = Enumerable.Range(0, 4).Select(i => Run("page", RunKind.Flow, RunState.Completed, T0.AddSeconds(i))).ToList();
        await _store.WriteAsync(new RunWriteBatch { Runs = runs });
        var first = await _store.QueryRunPageAsync(new RunQuery { Limit = 2 });

        await _store.SaveRunAsync(Run("page", RunKind.Flow, RunState.Running, T0.AddSeconds(10)));
        var second = await _store.QueryRunPageAsync(new RunQuery { Limit = 2, PageToken = first.NextPageToken });

        Assert.That(Ids([.. first.Runs, .. second.Runs]), Is.EqualTo(Ids([runs[3], runs[2], runs[1], runs[0]])));
        Assert.That(second.NextPageToken, Is.Null);
    }

    [Test]
    public void QueryRunPage_RefusesATokenNoStoreIssued_SayingWhatToGive()
    {
        var error = Assert.ThrowsAsync<ArgumentException>(async () => await _store.QueryRunPageAsync(new RunQuery { PageToken = "not-a-token" }));

        Assert.That(error!.Message, Does.Contain("page token 'not-a-token'").And.Contain("nextPageToken"));
    }

    [Test]
    public async Task RequestCancel_IsKeptForARunInProgress_NotForOneEndedScheduledOrUnknown()
    {
        var running = Run("sync", RunKind.Flow, RunState.Running);
        var ended = Run("sync", RunKind.Flow, RunState.Completed) with { EndedAt = T0 };
        var scheduled = Run("sync", RunKind.Flow, RunState.Scheduled);
        await _store.WriteAsync(new RunWriteBatch { Runs = [running, ended, scheduled] });

        Assert.That(await _store.RequestCancelAsync(running.Id, "first"), Is.True);
        Assert.That(await _store.RequestCancelAsync(running.Id, "asked by ops"), Is.True, "asking again replaces the reason");
        Assert.That(await _store.RequestCancelAsync(ended.Id, "late"), Is.False);
        Assert.That(await _store.RequestCancelAsync(scheduled.Id, "not started"), Is.False);
        Assert.That(await _store.RequestCancelAsync(Guid.CreateVersion7(), "unknown"), Is.False);

        var requests = await _store.GetCancelRequestsAsync([running.Id, ended.Id, scheduled.Id, Guid.CreateVersion7()]);
        Assert.That(requests.Select(r => (r.RunId, r.Reason)), Is.EqualTo(new[] { (running.Id, "asked by ops") }));
        Assert.That(await _store.GetCancelRequestsAsync([]), Is.Empty);
        Assert.That((await _store.GetRunAsync(running.Id))!.State, Is.EqualTo(RunState.Running), "a request changes no state: the engine running it does");
    }

    [Test]
    public async Task Prune_DeletesRunsEndedBeforeTheCutoff_WithTheirTasksSubflowsTransitionsLogsAndArtifacts_AndKeepsTheRest()
    {
        var cutoff = T0.AddDays(30);
        var old = Tree("old", RunState.Completed, T0);
        var oldFailed = Tree("old-failed", RunState.Failed, T0);
        var recent = Tree("recent", RunState.Completed, cutoff.AddMinutes(1));
        var running = Run("running", RunKind.Flow, RunState.Running, T0);
        var scheduled = Run("scheduled", RunKind.Flow, RunState.Scheduled, T0);
        var orphanTask = Run("standalone", RunKind.Task, RunState.Completed, T0) with { EndedAt = T0.AddSeconds(1) };
        foreach (var tree in (RunWriteBatch[])[old, oldFailed, recent, new RunWriteBatch { Runs = [running, scheduled, orphanTask] }])
        {
            await _store.WriteAsync(tree);
        }

        await _store.WriteAsync(new RunWriteBatch
        {
            CacheEntries = [new CacheEntry("k:expired", "t", "1", old.Runs[2].Id, T0, T0.AddDays(1)), new CacheEntry("k:valid", "t", "2", old.Runs[2].Id, T0, cutoff.AddDays(1))],
        });

        var kept = await _store.PruneAsync(new PruneRequest { EndedBefore = cutoff, KeepFailed = true, BatchSize = 1 });

        Assert.That(kept, Is.EqualTo(new PruneResult(FlowRuns: 2, Runs: 5, Transitions: 4, LogLines: 2, Artifacts: 1, CacheEntries: 1)), "the old tree (flow, task, subflow, its task) and the standalone task run");
        foreach (var run in old.Runs)
        {
            Assert.That(await _store.GetRunAsync(run.Id), Is.Null);
            Assert.That(await _store.GetTransitionsAsync(run.Id), Is.Empty);
        }

        Assert.That(await _store.GetLogsAsync(old.Runs[0].Id), Is.Empty);
        Assert.That(await _store.GetArtifactsAsync(old.Runs[0].Id), Is.Empty);
        Assert.That(await _store.GetCacheEntryAsync("k:expired"), Is.Null);
        Assert.That(await _store.GetCacheEntryAsync("k:valid"), Is.Not.Null);
        foreach (var run in (RunRecord[])[.. oldFailed.Runs, .. recent.Runs, running, scheduled])
        {
            Assert.That(await _store.GetRunAsync(run.Id), Is.Not.Null, run.Name);
        }

        Assert.That(await _store.GetLogsAsync(recent.Runs[0].Id), Has.Count.EqualTo(1));
        Assert.That(await _store.GetTransitionsAsync(recent.Runs[3].Id), Has.Count.EqualTo(1));

        var failed = await _store.PruneAsync(new PruneRequest { EndedBefore = cutoff });
        Assert.That((failed.FlowRuns, failed.Runs), Is.EqualTo((1, 4)), "without KeepFailed the failed tree goes too");
        Assert.That(await _store.GetRunAsync(oldFailed.Runs[3].Id), Is.Null);
        Assert.That(await _store.GetRunAsync(running.Id), Is.Not.Null, "never a run in progress");
    }

    /// <summary>A flow run that ended, with a task run, a subflow started by it and the subflow's task run; a transition each, two log lines and an artifact.</summary>
    private static RunWriteBatch Tree(string name, RunState state, DateTimeOffset createdAt)
    {
        var ended = createdAt.AddMinutes(5);
        var flow = Run(name, RunKind.Flow, state, createdAt) with { EndedAt = ended };
        flow = flow with { FlowRunId = flow.Id };
        var task = Run(name + "-task", RunKind.Task, RunState.Completed, createdAt) with { FlowRunId = flow.Id, ParentRunId = flow.Id, EndedAt = ended };
        var subflow = Run(name + "-sub", RunKind.Flow, RunState.Completed, createdAt) with { ParentRunId = task.Id, EndedAt = ended };
        subflow = subflow with { FlowRunId = subflow.Id };
        var subTask = Run(name + "-subtask", RunKind.Task, RunState.Completed, createdAt) with { FlowRunId = subflow.Id, ParentRunId = subflow.Id, EndedAt = ended };
        RunRecord[] runs = [flow, task, subflow, subTask];
        return new RunWriteBatch
        {
            Runs = runs,
            Transitions = [.. runs.Select(r => new StateTransition(r.Id, r.State, ended, 1))],
            Logs =
            [
                new RunLogEntry(flow.Id, flow.Id, createdAt, LogLevel.Information, "Flows.Flow." + name, "started"),
                new RunLogEntry(subTask.Id, subflow.Id, createdAt, LogLevel.Information, "Flows.Task.x", "sub"),
            ],
            Artifacts = [new RunArtifact(Guid.CreateVersion7(), task.Id, flow.Id, "a", ArtifactKind.Markdown, "# a", null, createdAt)],
        };
    }

    private static RunRecord Run(string name, RunKind kind, RunState state, DateTimeOffset? createdAt = null) => new()
    {
        Id = Guid.CreateVersion7(),
        Kind = kind,
        Name = name,
        State = state,
        CreatedAt = createdAt ?? T0,
    };

    private static List<Guid> Ids(IEnumerable<RunRecord> runs) => [.. runs.Select(r => r.Id)];

    private static string Describe(RunLogEntry l) => $"{l.RunId} {l.FlowRunId} {l.Timestamp:O} {l.Level} {l.Category} {l.Message} {l.Exception}";

    private static bool SameRun(RunRecord a, RunRecord b) => a with { Tags = [] } == b with { Tags = [] } && a.Tags.SequenceEqual(b.Tags);
}

public sealed class InMemoryRunStoreConformanceTests : RunStoreConformanceTests
{
    private InMemoryRunStore? _store;

    protected override Task<IRunStore> CreateStoreAsync() => Task.FromResult<IRunStore>(_store = new InMemoryRunStore());

    protected override Task<IRunStore> ReopenAsync() => Task.FromResult<IRunStore>(_store!);

    protected override Task CleanUpAsync() => Task.CompletedTask;
}

/// <summary>The durable stores: each test gets its own database, and "the next process" is another store instance on it.</summary>
public abstract partial class SqlRunStoreConformanceTests : RunStoreConformanceTests
{
    private readonly List<SqlRunStore> _stores = [];

    /// <summary>Creates the test's own database (a file, a schema).</summary>
    protected abstract void CreateDatabase();

    /// <summary>A new store instance on the test's database.</summary>
    protected abstract SqlRunStore Open();

    protected abstract Task DeleteDatabaseAsync();

    protected override Task<IRunStore> CreateStoreAsync()
    {
        CreateDatabase();
        return ReopenAsync();
    }

    protected override Task<IRunStore> ReopenAsync()
    {
        var store = Open();
        _stores.Add(store);
        return Task.FromResult<IRunStore>(store);
    }

    protected override async Task CleanUpAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        await DeleteDatabaseAsync();
    }

    [Test]
    public async Task UnfinishedRunsOfAStoreThatIsGone_AreMarkedCrashed_ButScheduledAndLateRunsWaitForTheirStart()
    {
        var first = (SqlRunStore)await ReopenAsync();
        var at = new DateTimeOffset(2030, 1, 1, 6, 0, 0, TimeSpan.Zero);
        RunRecord Flow(RunState state) => new() { Id = Guid.CreateVersion7(), Kind = RunKind.Flow, Name = "left", State = state, CreatedAt = at, Deployment = "left-daily", ScheduledFor = at };
        var (scheduled, late, running, completed) = (Flow(RunState.Scheduled), Flow(RunState.Late), Flow(RunState.Running), Flow(RunState.Completed));
        await first.WriteAsync(new RunWriteBatch { Runs = [scheduled, late, running, completed] });
        await first.DisposeAsync();

        var next = (SqlRunStore)await ReopenAsync();
        await next.OpenAsync();
        await next.MarkCrashedRunsAsync();

        var states = new List<RunState>();
        foreach (var run in new[] { scheduled, late, running, completed })
        {
            states.Add((await next.GetRunAsync(run.Id))!.State);
        }

        Assert.That(states, Is.EqualTo(new[] { RunState.Scheduled, RunState.Late, RunState.Crashed, RunState.Completed }), "a run waiting for its start is no process's to crash");
    }

    [Test]
    public async Task TextPostgreSqlCannotHold_IsStoredWithAVisibleMarker_AndAWarningOnItsRun()
    {
        var store = await ReopenAsync();
        var at = new DateTimeOffset(2030, 1, 1, 6, 0, 0, TimeSpan.Zero);
        var flow = new RunRecord { Id = Guid.CreateVersion7(), Kind = RunKind.Flow, Name = "nul", State = RunState.Failed, CreatedAt = at, Error = "IOException: bad\0byte" };
        flow = flow with { FlowRunId = flow.Id };
        var properties = new Dictionary<string, string?> { ["Raw"] = "a\0b" };

        await store.WriteAsync(new RunWriteBatch
        {
            Runs = [flow],
            Transitions = [new StateTransition(flow.Id, RunState.Failed, at, 1, "IOException: bad\0byte")],
            Logs = [new RunLogEntry(flow.Id, flow.Id, at, LogLevel.Information, "c", "read \0\0 from the file", Properties: properties)],
            Artifacts = [new RunArtifact(Guid.CreateVersion7(), flow.Id, flow.Id, "dump", ArtifactKind.Markdown, "x\0y", "half \uD800 a pair, \U0001F600 whole", at)],
        });

        Assert.That((await store.GetRunAsync(flow.Id))!.Error, Is.EqualTo("IOException: bad\u2400byte"));
        Assert.That((await store.GetTransitionsAsync(flow.Id)).Single().Message, Is.EqualTo("IOException: bad\u2400byte"));
        var artifact = (await store.GetArtifactsAsync(flow.Id)).Single();
        Assert.That((artifact.Content, artifact.Description), Is.EqualTo(("x\u2400y", "half \uFFFD a pair, \U0001F600 whole")), "an unpaired surrogate is stored as U+FFFD, a pair as it is");
        var logs = await store.GetLogsAsync(flow.Id);
        Assert.That(logs[0].Message, Is.EqualTo("read \u2400\u2400 from the file"));
        Assert.That(logs[0].Properties, Is.EqualTo(properties), "property values are JSON, which escapes a NUL and keeps it");
        var warning = logs.Single(l => l.Category == "Flows.Store");
        Assert.That((warning.Level, warning.RunId, warning.FlowRunId), Is.EqualTo((LogLevel.Warning, flow.Id, (Guid?)flow.Id)));
        Assert.That(warning.Message, Does.Contain("5 NUL characters").And.Contain("1 unpaired UTF-16 surrogate ").And.Contain("error").And.Contain("log line").And.Contain("artifact"));
    }
}

public sealed class SqliteRunStoreConformanceTests : SqlRunStoreConformanceTests
{
    private TempFolder? _folder;

    protected override void CreateDatabase() => _folder = TestStores.NewFolder();

    protected override SqlRunStore Open() => new SqliteRunStore(_folder!.File("flows.db"));

    protected override Task DeleteDatabaseAsync()
    {
        _folder?.Dispose();
        return Task.CompletedTask;
    }
}

public sealed class PostgreSqlRunStoreConformanceTests : SqlRunStoreConformanceTests
{
    private string? _schema;

    protected override void CreateDatabase() => _schema = TestStores.NewSchema();

    protected override SqlRunStore Open() => TestStores.Postgres(_schema!);

    protected override Task DeleteDatabaseAsync() => _schema is null ? Task.CompletedTask : TestStores.DropSchemaAsync(_schema);
}

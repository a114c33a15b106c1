using System.Text.Json;
using Flows.Runs;
using Flows.Stores;
using Flows.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Flows.Tests.Engine;

/// <summary>
/// <see cref="FlowEngine.TryRetryCrashedRunAsync"/>: the next attempt of a Crashed flow run under its own id, as the
/// flow's retries allow and after their delay counted from the crash; and <see cref="FlowEngine.TryCancelScheduledRunAsync"/>.
/// </summary>
public sealed class CrashRetryTests
{
    private static readonly DateTimeOffset Start = new(2030, 5, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan CrashedAfter = TimeSpan.FromSeconds(10);

    [Test]
    public async Task ACrashedRun_IsRetriedUnderItsId_AfterItsRetryDelayCountedFromTheCrash_WithItsRecordedParametersAndItsSecretResolvedAgain()
    {
        using var harness = Harness();
        var crashed = await CrashedAsync(harness, "crash-retried", """{"n":5,"fail":false,"token":"***"}""", attempt: 1);
        harness.Time.Advance(TimeSpan.FromSeconds(10));

        var run = await harness.Engine.TryRetryCrashedRunAsync(crashed.Id);

        Assert.That((run!.Id, run.State, run.Attempt, run.Result), Is.EqualTo((crashed.Id, RunState.Completed, 2, (string?)"11")), "5 + the secret's length, resolved again");
        Assert.That((run.CreatedAt, run.StartedAt, run.Parameters), Is.EqualTo((Start, (DateTimeOffset?)Start, crashed.Parameters)), "its creation, first start and parameters are kept");
        var transitions = harness.Transitions(run);
        Assert.That(transitions.Select(t => (t.State, t.Attempt)), Is.EqualTo(new[] { (RunState.Running, 1), (RunState.Crashed, 1), (RunState.Pending, 2), (RunState.Running, 2), (RunState.Completed, 2) }));
        Assert.That(transitions[2].Message, Is.EqualTo(
            "Retry after a crash: attempt 2 of 3 starts in 20 s, 30 s after the crash at 2030-05-01T08:00:10.0000000+00:00 (\"The process running it stopped before it finished.\")."));
        Assert.That(transitions[3].Timestamp, Is.EqualTo(Start + CrashedAfter + TimeSpan.FromSeconds(30)), "the linear delay of a first retry, 30 s, from the crash");
        Assert.That(harness.Runs, Has.Count.EqualTo(1), "the same run, not a new one");
    }

    [Test]
    public async Task ARetriedCrashThatFails_CountsTheCrashedAttempt_AndEndsFailedAfterTheFlowsLastAttempt()
    {
        using var harness = Harness();
        var crashed = await CrashedAsync(harness, "crash-retried", """{"n":5,"fail":true}""", attempt: 1);

        var run = await harness.Engine.TryRetryCrashedRunAsync(crashed.Id);

        Assert.That((run!.State, run.Attempt), Is.EqualTo((RunState.Failed, 3)), "Retries = 2: three attempts in all, the crashed one included");
        var retrying = harness.Transitions(run).Single(t => t.State == RunState.Retrying);
        Assert.That((retrying.Attempt, retrying.Message), Is.EqualTo((2, "InvalidOperationException: failed with 5 Retrying in 60 s.")), "the second retry's linear delay");
    }

    [Test]
    public async Task ACrashedRunWithNoAttemptLeft_OrOfAFlowWithoutRetries_StaysCrashed()
    {
        using var harness = Harness();
        var exhausted = await CrashedAsync(harness, "crash-retried", """{"n":5}""", attempt: 3);
        var noRetries = await CrashedAsync(harness, "crash-not-retried", """{"n":5}""", attempt: 1);
        var unknown = await CrashedAsync(harness, "not-a-flow-here", """{"n":5}""", attempt: 1);

        foreach (var run in new[] { exhausted, noRetries, unknown })
        {
            Assert.That(await harness.Engine.TryRetryCrashedRunAsync(run.Id), Is.Null, run.Name);
            Assert.That((await harness.Store.GetRunAsync(run.Id))!.State, Is.EqualTo(RunState.Crashed), run.Name);
        }

        Assert.That(await harness.Engine.TryRetryCrashedRunAsync(Guid.CreateVersion7()), Is.Null, "a run not stored");
    }

    [Test]
    public async Task OfTwoCallersRetryingOneCrash_OneRunsIt()
    {
        using var harness = Harness();
        var crashed = await CrashedAsync(harness, "crash-retried", """{"n":1}""", attempt: 1);

        var runs = await Task.WhenAll(harness.Engine.TryRetryCrashedRunAsync(crashed.Id), harness.Engine.TryRetryCrashedRunAsync(crashed.Id));

        Assert.That(runs.Count(r => r is not null), Is.EqualTo(1));
        Assert.That(harness.Transitions(crashed).Count(t => t.State == RunState.Running), Is.EqualTo(2), "the crashed attempt and one retry");
    }

    [Test]
    public async Task ARunCrashedByItsEngineStoppingUnderIt_IsRetriedByTheNextEngineOnTheSameInMemoryStore()
    {
        var store = new InMemoryRunStore();
        var first = new FlowEngine(new FlowEngineOptions { Store = store });
        var running = first.RunAsync("crash-waits-once", Json(new { n = 4 }));
        Guid? runId = null;
        await Eventually.UntilAsync(
            async () => (runId = (await store.QueryRunsAsync(new RunQuery { Name = "crash-waits-once" })).SingleOrDefault(r => r.State == RunState.Running)?.Id) is not null,
            "the first attempt is running");
        await first.DisposeAsync();
        Assert.That((await Eventually.Within(running)).State, Is.EqualTo(RunState.Crashed));
        await using var next = new FlowEngine(new FlowEngineOptions { Store = store });

        var run = await next.TryRetryCrashedRunAsync(runId!.Value);

        Assert.That((run!.Id, run.State, run.Attempt, run.Result), Is.EqualTo((runId.Value, RunState.Completed, 2, (string?)"4")));
    }

    [Test]
    public async Task RecordedParametersThatNoLongerBind_FailTheRetry_AndLeaveTheRunCrashed()
    {
        using var harness = Harness();
        var crashed = await CrashedAsync(harness, "crash-retried", """{"n":"five"}""", attempt: 1);

        var error = Assert.ThrowsAsync<FlowParameterException>(() => harness.Engine.TryRetryCrashedRunAsync(crashed.Id));

        Assert.That(error!.Message, Does.Contain("parameter 'n'"));
        Assert.That((await harness.Store.GetRunAsync(crashed.Id))!.State, Is.EqualTo(RunState.Crashed));
    }

    [Test]
    public async Task AScheduledRun_IsCancelledBeforeItStarts_WithTheReason_AndCannotBeStartedAfterwards()
    {
        using var harness = Harness();
        var start = new RunStart { RunId = Guid.CreateVersion7(), Deployment = "sum-hourly", ScheduledFor = Start };
        await harness.Engine.TryScheduleRunAsync("crash-not-retried", Json(new { n = 2 }), start);
        await harness.Engine.Secrets.GetAsync("crash-token");

        var cancelled = await harness.Engine.TryCancelScheduledRunAsync(start.RunId!.Value, "cancelled by ops (token s3cr3t)");
        var again = await harness.Engine.TryCancelScheduledRunAsync(start.RunId!.Value, "twice");

        Assert.That((cancelled, again), Is.EqualTo((true, false)));
        var run = (await harness.Store.GetRunAsync(start.RunId!.Value))!;
        Assert.That((run.State, run.EndedAt, run.Error), Is.EqualTo((RunState.Cancelled, (DateTimeOffset?)Start, (string?)"Cancelled before it started: cancelled by ops (token ***)")));
        Assert.That(harness.Transitions(run).Select(t => (t.State, t.Message)).Last(), Is.EqualTo((RunState.Cancelled, (string?)"Cancelled before it started: cancelled by ops (token ***)")));
        Assert.ThrowsAsync<RunAlreadyStartedException>(() => harness.Engine.RunAsync("crash-not-retried", Json(new { n = 2 }), start));
    }

    [Test]
    public async Task ARunThatStarted_OrIsNotStored_IsNotCancelledAsNotStarted()
    {
        using var harness = Harness();
        var finished = await harness.Engine.RunAsync("crash-not-retried", Json(new { n = 2 }));

        Assert.That(await harness.Engine.TryCancelScheduledRunAsync(finished.Id, "late"), Is.False);
        Assert.That(await harness.Engine.TryCancelScheduledRunAsync(Guid.CreateVersion7(), "unknown"), Is.False);
        Assert.That((await harness.Store.GetRunAsync(finished.Id))!.State, Is.EqualTo(RunState.Completed));
    }

    [Test]
    public async Task ASecretInACrashOrACancelReason_ReachesNeitherTheStoreNorTheLog()
    {
        var lines = new LineCollector();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(lines).SetMinimumLevel(LogLevel.Debug));
        var options = new FlowEngineOptions { LoggerFactory = loggers, TimeProvider = new FakeTimeProvider(Start + TimeSpan.FromHours(1)) };
        options.Secrets.Providers.Add(new global::Flows.Secrets.InlineSecretProvider(new Dictionary<string, string> { ["crash-token"] = "s3cr3t" }));
        await using var engine = new FlowEngine(options);
        await engine.Secrets.GetAsync("crash-token");
        var crashed = Crashed("crash-retried", """{"n":1}""", attempt: 1) with { Error = "died holding s3cr3t" };
        await engine.Store.WriteAsync(new RunWriteBatch { Runs = [crashed] });
        var start = new RunStart { RunId = Guid.CreateVersion7() };
        await engine.TryScheduleRunAsync("crash-not-retried", Json(new { n = 2 }), start);

        await engine.TryRetryCrashedRunAsync(crashed.Id);
        await engine.TryCancelScheduledRunAsync(start.RunId!.Value, "ops said s3cr3t");

        var stored = new List<string>();
        foreach (var id in new[] { crashed.Id, start.RunId!.Value })
        {
            stored.AddRange((await engine.Store.GetTransitionsAsync(id)).Select(t => t.Message).OfType<string>());
            stored.Add((await engine.Store.GetRunAsync(id))!.Error ?? string.Empty);
        }

        Assert.That(stored, Has.Some.Contains("***"), "the texts that held it are there, masked");
        Assert.That(stored.Concat(lines.Lines), Has.None.Contains("s3cr3t"));
        Assert.That(lines.Lines, Has.Some.Contains("crashed and is retried here").And.Some.Contains("cancelled before it started"));
    }

    /// <summary>A harness whose secret "crash-token" is s3cr3t, starting at <see cref="Start"/>; the secret is known to its masker once resolved.</summary>
    private static FlowTestHarness Harness() => new(o =>
    {
        o.StartTime = Start;
        o.Secrets["crash-token"] = "s3cr3t";
    });

    /// <summary>Records a flow run as a process leaves it when it dies in attempt <paramref name="attempt"/> and a peer finds it: Crashed, 10 s after it started.</summary>
    private static async Task<RunRecord> CrashedAsync(FlowTestHarness harness, string flow, string parameters, int attempt)
    {
        var run = Crashed(flow, parameters, attempt);
        await harness.Store.WriteAsync(new RunWriteBatch
        {
            Runs = [run],
            Transitions = [new StateTransition(run.Id, RunState.Running, Start, attempt), new StateTransition(run.Id, RunState.Crashed, run.EndedAt!.Value, attempt, run.Error)],
        });
        harness.Time.SetUtcNow(run.EndedAt!.Value);
        return run;
    }

    /// <summary>A flow run as a peer leaves it when it finds its process gone in attempt <paramref name="attempt"/>, 10 s after it started.</summary>
    private static RunRecord Crashed(string flow, string parameters, int attempt) => new()
    {
        Id = Guid.CreateVersion7(), Kind = RunKind.Flow, Name = flow, State = RunState.Crashed, Attempt = attempt, Parameters = parameters,
        CreatedAt = Start, StartedAt = Start, EndedAt = Start + CrashedAfter, Error = "The process running it stopped before it finished.",
    };

    /// <summary>Every line logged, formatted.</summary>
    private sealed class LineCollector : ILoggerProvider
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose()
        {
        }

        private sealed class Logger(LineCollector owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Lines.Enqueue(formatter(state, exception));
        }
    }

    private static Dictionary<string, JsonElement> Json(object value) =>
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(JsonSerializer.Serialize(value))!;
}

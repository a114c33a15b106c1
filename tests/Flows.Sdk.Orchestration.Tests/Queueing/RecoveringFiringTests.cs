using System.Text.Json;
using Flows.Orchestration.Running;
using Flows.Orchestration.Tests.Fixtures;
using Flows.Runs;
using Flows.Stores.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Flows.Orchestration.Tests.Queueing;

/// <summary>
/// A firing Quartz recovers from a node that stopped checking in only proposes a crash: the run store's owner
/// heartbeats decide, and a crashed run is retried here as its flow allows.
/// </summary>
public sealed class RecoveringFiringTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    private static (FlowEngine Engine, RecoveringFiring Firing, FakeTimeProvider Time) NewEngine(TempFolder home)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 10, 0, 0, TimeSpan.Zero));
        var store = new SqliteRunStore(new SqliteRunStoreOptions { Path = home.File("flows.db"), TimeProvider = time, HeartbeatInterval = Interval, HeartbeatTimeout = Timeout });
        var engine = new FlowEngine(new FlowEngineOptions { Store = store, TimeProvider = time });
        return (engine, new RecoveringFiring(engine, NullLogger.Instance), time);
    }

    private static Dictionary<string, JsonElement> Label(string label) => new() { ["label"] = JsonSerializer.SerializeToElement(label) };

    private static async Task<Guid> ScheduledAsync(FlowEngine engine, string flow, string label)
    {
        var runId = Guid.CreateVersion7();
        await engine.TryScheduleRunAsync(flow, Label(label), new RunStart { RunId = runId });
        return runId;
    }

    [Test]
    public async Task ARunThatNeverStarted_IsRunAsAnyFiringWould()
    {
        using var home = TempFolder.Create();
        var (engine, firing, _) = NewEngine(home);
        await using var _ = engine;
        var runId = await ScheduledAsync(engine, "orch-record", "recover-not-started");

        Assert.That(await firing.JudgeAsync(runId, "test firing", CancellationToken.None), Is.EqualTo(RecoveryVerdict.NotStarted));
    }

    [Test]
    public async Task ARunWhoseProcessIsGone_IsCrashed_ThenRetriedHere_AsItsFlowAllows()
    {
        using var home = TempFolder.Create();
        var (engine, firing, time) = NewEngine(home);
        await using var _ = engine;
        var runId = await ScheduledAsync(engine, "orch-retried", "recover-crashed");
        // Another process claimed the run and is gone: its owner is no longer registered in the store.
        await using (var gone = new SqliteRunStore(new SqliteRunStoreOptions { Path = home.File("flows.db"), TimeProvider = time }))
        {
            Assert.That(await gone.TryStartRunAsync(runId, []), Is.True);
        }

        var verdict = await firing.JudgeAsync(runId, "test firing", CancellationToken.None);
        var crashed = (await engine.Store.GetRunAsync(runId))!;
        var retry = firing.RetryAsync(runId, "test firing", CancellationToken.None);
        await Eventually.AdvanceUntilDone(time, retry, TimeSpan.FromSeconds(1));
        var run = (await engine.Store.GetRunAsync(runId))!;

        Assert.Multiple(() =>
        {
            Assert.That(verdict, Is.EqualTo(RecoveryVerdict.Crashed));
            Assert.That(crashed.State, Is.EqualTo(RunState.Crashed));
            Assert.That(run.State, Is.EqualTo(RunState.Completed), "retried under its own id");
            Assert.That(run.Attempt, Is.GreaterThan(crashed.Attempt));
            Assert.That(Scheduled.Calls, Does.Contain("recover-crashed"));
        });
    }

    [Test]
    public async Task ARunWhoseProcessStillBeats_IsLeftWhereItRuns_AfterTheTimeoutAndTwoBeats()
    {
        using var home = TempFolder.Create();
        var (engine, firing, time) = NewEngine(home);
        await using var _ = engine;
        var running = engine.RunAsync("orch-block", Label("recover-alive"));
        await Eventually.Until(() => Scheduled.Started.Contains("recover-alive"), "the run to start");
        var runId = (await engine.Store.QueryRunsAsync(new Flows.Stores.RunQuery { Name = "orch-block", Limit = 100 })).Single(r => r.State == RunState.Running).Id;

        var judging = firing.JudgeAsync(runId, "test firing", CancellationToken.None);
        var started = time.GetUtcNow();
        await Eventually.AdvanceUntilDone(time, judging, TimeSpan.FromMilliseconds(500));
        var waited = time.GetUtcNow() - started;
        Scheduled.Gate("recover-alive").TrySetResult();
        var ended = await Eventually.Within(running);

        Assert.Multiple(async () =>
        {
            Assert.That(await judging, Is.EqualTo(RecoveryVerdict.Alive), "a duplicate firing");
            Assert.That(waited, Is.GreaterThanOrEqualTo(Timeout + (2 * Interval)));
            Assert.That(ended.State, Is.EqualTo(RunState.Completed), "the run went on where it was");
        });
    }

    [Test]
    public async Task ARunThatEnded_IsLeftAlone()
    {
        using var home = TempFolder.Create();
        var (engine, firing, _) = NewEngine(home);
        await using var _ = engine;
        var run = await engine.RunAsync("orch-record", Label("recover-ended"));

        Assert.That(await firing.JudgeAsync(run.Id, "test firing", CancellationToken.None), Is.EqualTo(RecoveryVerdict.Ended));
    }
}

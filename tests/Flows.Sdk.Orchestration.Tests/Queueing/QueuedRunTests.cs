using Flows.Orchestration.Logging;
using Flows.Orchestration.Tests.Fixtures;
using Flows.Orchestration.Tests.Support;
using Flows.Runs;
using Microsoft.Extensions.Time.Testing;

namespace Flows.Orchestration.Tests.Queueing;

/// <summary>Runs queued with <see cref="IFlowClient"/>: recorded at once, run by a replica serving their queue, once.</summary>
public sealed class QueuedRunTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 5, 10, 0, 30, TimeSpan.Zero);

    private static Dictionary<string, string?> Settings(params (string Key, string Value)[] settings) =>
        settings.ToDictionary(s => $"Flows:Orchestration:{s.Key}", s => (string?)s.Value);

    private static Task<OrchestrationHost> HostAsync(TempFolder home, FakeTimeProvider time, params (string Key, string Value)[] settings) =>
        OrchestrationHost.StartAsync(home.Path, time, _ => { }, Settings(settings));

    [Test]
    public async Task AQueuedRun_IsScheduledAtOnce_ThenAWorkerCompletesIt()
    {
        using var home = TempFolder.Create();
        var time = new FakeTimeProvider(Start);
        await using var client = await HostAsync(home, time, ("Works", "false"));

        var runId = await client.Client.EnqueueAsync("orch-record", new { label = "queued-once" });
        var queued = await client.Client.GetRunAsync(runId);

        await using var worker = await HostAsync(home, time);
        await worker.AdvanceUntilAsync(async () => (await client.Client.GetRunAsync(runId))?.State == RunState.Completed, "the worker to complete the run");
        var done = await client.Client.WaitAsync(runId);

        Assert.Multiple(() =>
        {
            Assert.That(queued!.State, Is.EqualTo(RunState.Scheduled), "visible before any worker takes it");
            Assert.That(queued.Name, Is.EqualTo("orch-record"));
            Assert.That(queued.Tags, Does.Contain("queue:default"));
            Assert.That(runId.Version, Is.EqualTo(7));
            Assert.That(done.State, Is.EqualTo(RunState.Completed));
            Assert.That(Scheduled.Calls.Count(c => c == "queued-once"), Is.EqualTo(1));
            Assert.That(worker.Events.Select(e => e.EventId), Does.Contain(OrchestrationEventIds.QueuedRunStarting));
            Assert.That(client.Events.Select(e => e.EventId), Does.Contain(OrchestrationEventIds.RunQueued));
        });
    }

    [Test]
    public async Task AnUnknownFlow_BadParameters_OrABadQueue_AreRefusedWithWhatWasWrong_AndNothingIsStored()
    {
        using var home = TempFolder.Create();
        await using var host = await HostAsync(home, new FakeTimeProvider(Start), ("Works", "false"));

        var unknown = Assert.ThrowsAsync<ArgumentException>(() => host.Client.EnqueueAsync("orch-nope"))!;
        var typed = Assert.ThrowsAsync<FlowParameterException>(() => host.Client.EnqueueAsync("orch-typed", new { count = "many", states = new[] { "OH" } }))!;
        var missing = Assert.ThrowsAsync<FlowParameterException>(() => host.Client.EnqueueAsync("orch-typed"))!;
        var notAnObject = Assert.ThrowsAsync<ArgumentException>(() => host.Client.EnqueueAsync("orch-record", 42))!;
        var queue = Assert.ThrowsAsync<ArgumentException>(() => host.Client.EnqueueAsync("orch-record", queue: "heavy jobs"))!;
        var reserved = Assert.ThrowsAsync<ArgumentException>(() => host.Client.EnqueueAsync("orch-record", queue: "_"))!;

        Assert.Multiple(async () =>
        {
            Assert.That(unknown.Message, Does.Contain("no flow named 'orch-nope'").And.Contain("orch-record"));
            Assert.That(typed.Message, Does.Contain("orch-typed").And.Contain("count"));
            Assert.That(missing.Message, Does.Contain("orch-typed"));
            Assert.That(notAnObject.Message, Does.Contain("a JSON object of named parameters was expected"));
            Assert.That(queue.Message, Does.Contain("flow 'orch-record'").And.Contain("'heavy jobs'"));
            Assert.That(reserved.Message, Does.Contain("starting with a letter or digit"));
            Assert.That(await host.Engine.Store.QueryRunsAsync(new Flows.Stores.RunQuery { Limit = 10 }), Is.Empty);
            Assert.That(QuartzTables.Rows(home.File("quartz.db"), "job_details"), Is.Empty);
        });
    }

    [Test]
    public async Task AReplicaServingOneQueue_NeverRunsAnothers()
    {
        using var home = TempFolder.Create();
        var time = new FakeTimeProvider(Start);
        await using var host = await HostAsync(home, time, ("Queues:0", "a"));

        var other = await host.Client.EnqueueAsync("orch-record", new { label = "queue-b" }, queue: "b");
        var mine = await host.Client.EnqueueAsync("orch-record", new { label = "queue-a" }, queue: "a");
        var byDefault = await host.Client.EnqueueAsync("orch-record", new { label = "queue-default" });
        await host.AdvanceUntilAsync(async () => (await host.Client.GetRunAsync(mine))?.State == RunState.Completed, "the run in queue a");
        // A later run in the served queue completing shows the scheduler went past the others more than once.
        var later = await host.Client.EnqueueAsync("orch-record", new { label = "queue-a-later" }, queue: "a");
        await host.AdvanceUntilAsync(async () => (await host.Client.GetRunAsync(later))?.State == RunState.Completed, "the later run in queue a");

        Assert.Multiple(async () =>
        {
            Assert.That((await host.Client.GetRunAsync(other))!.State, Is.EqualTo(RunState.Scheduled));
            Assert.That((await host.Client.GetRunAsync(byDefault))!.State, Is.EqualTo(RunState.Scheduled));
            Assert.That(Scheduled.Calls, Does.Not.Contain("queue-b").And.Not.Contain("queue-default"));
        });
    }

    [Test]
    public async Task AReplicaRefusingAQueue_RunsEveryOtherQueue()
    {
        using var home = TempFolder.Create();
        var time = new FakeTimeProvider(Start);
        await using var host = await HostAsync(home, time, ("RefusedQueues:0", "refused"));

        var refused = await host.Client.EnqueueAsync("orch-record", new { label = "refused-queue" }, queue: "refused");
        var other = await host.Client.EnqueueAsync("orch-record", new { label = "other-queue" }, queue: "other");
        var byDefault = await host.Client.EnqueueAsync("orch-record", new { label = "default-queue" });
        await host.AdvanceUntilAsync(
            async () => (await host.Client.GetRunAsync(other))?.State == RunState.Completed && (await host.Client.GetRunAsync(byDefault))?.State == RunState.Completed,
            "the runs of the other queues");

        Assert.That((await host.Client.GetRunAsync(refused))!.State, Is.EqualTo(RunState.Scheduled));
    }

    [Test]
    public async Task AQueuesCap_HoldsItsRunsBeyondTheCap_UntilOneEnds()
    {
        using var home = TempFolder.Create();
        var time = new FakeTimeProvider(Start);
        await using var host = await HostAsync(home, time, ("QueueLimits:capped", "1"), ("MaxConcurrentRuns", "4"));

        var first = await host.Client.EnqueueAsync("orch-block", new { label = "cap-first" }, queue: "capped");
        await host.AdvanceUntilAsync(() => Task.FromResult(Scheduled.Started.Contains("cap-first")), "the first capped run to start");
        var second = await host.Client.EnqueueAsync("orch-block", new { label = "cap-second" }, queue: "capped");
        var free = await host.Client.EnqueueAsync("orch-record", new { label = "cap-free" }, queue: "free");
        await host.AdvanceUntilAsync(async () => (await host.Client.GetRunAsync(free))?.State == RunState.Completed, "a run of an uncapped queue");
        var held = (await host.Client.GetRunAsync(second))!.State;

        Scheduled.Gate("cap-first").TrySetResult();
        await host.AdvanceUntilAsync(() => Task.FromResult(Scheduled.Started.Contains("cap-second")), "the second capped run, once the first ended");
        Scheduled.Gate("cap-second").TrySetResult();
        await host.AdvanceUntilAsync(async () => (await host.Client.GetRunAsync(second))?.State == RunState.Completed, "the second capped run to complete");

        Assert.Multiple(async () =>
        {
            Assert.That(held, Is.EqualTo(RunState.Scheduled), "held while the first ran");
            Assert.That((await host.Client.GetRunAsync(first))!.State, Is.EqualTo(RunState.Completed));
        });
    }

    [Test]
    public async Task ADeploymentRunNow_IsAQueuedRunOfItsFlow_WithItsParametersTagsAndName()
    {
        using var home = TempFolder.Create();
        var time = new FakeTimeProvider(Start);
        await using var host = await OrchestrationHost.StartAsync(home.Path, time, o =>
            o.Deploy("yearly-report", "orch-record", d => d.Cron("0 6 1 1 *").Parameters(new { label = "run-now" }).Tags("report").Queue("reports")));

        var runId = await host.Client.RunDeploymentAsync("yearly-report");
        var run = await Eventually.Within(host.Client.WaitAsync(runId));
        var unknown = Assert.ThrowsAsync<ArgumentException>(() => host.Client.RunDeploymentAsync("monthly-report"))!;

        Assert.Multiple(() =>
        {
            Assert.That(run.State, Is.EqualTo(RunState.Completed));
            Assert.That(run.Deployment, Is.EqualTo("yearly-report"));
            Assert.That(run.ScheduledFor, Is.Null, "run now, not a slot");
            Assert.That(run.Tags, Does.Contain("report").And.Contain("queue:reports"));
            Assert.That(Scheduled.Calls, Does.Contain("run-now"));
            Assert.That(unknown.Message, Does.Contain("No deployment is named 'monthly-report'").And.Contain("yearly-report"));
        });
    }

    [Test]
    public async Task AQueuedRunStillGoingWhenTheHostStops_GetsTheGrace_ThenEndsCancelled()
    {
        using var home = TempFolder.Create();
        var time = new FakeTimeProvider(Start);
        await using var host = await HostAsync(home, time, ("ShutdownGrace", "00:00:05"));
        var runId = await host.Client.EnqueueAsync("orch-block", new { label = "queued-at-stop" });
        await host.AdvanceUntilAsync(() => Task.FromResult(Scheduled.Started.Contains("queued-at-stop")), "the run to start");

        var stop = host.Host.StopAsync();
        await Eventually.AdvanceUntilDone(time, stop, TimeSpan.FromSeconds(1));

        Assert.Multiple(async () =>
        {
            Assert.That((await host.Client.GetRunAsync(runId))!.State, Is.EqualTo(RunState.Cancelled));
            Assert.That(host.Events.Select(e => e.EventId), Does.Contain(OrchestrationEventIds.ShutdownCancelling));
        });
    }

    // Two schedulers on one SQLite job store share Quartz's non-clustered instance id, so the second one, starting,
    // takes the first one's firing in progress for its own left over from a crash and recovers it. The run store knows
    // better: the run's owner still beats, so the recovered firing runs nothing.
    [Test]
    public async Task AFiringRecoveredWhileItsRunGoesOnElsewhere_RunsNothingASecondTime()
    {
        using var home = TempFolder.Create();
        var time = new FakeTimeProvider(Start);
        await using var first = await HostAsync(home, time);
        var runId = await first.Client.EnqueueAsync("orch-block", new { label = "recovered-duplicate" });
        await first.AdvanceUntilAsync(() => Task.FromResult(Scheduled.Started.Contains("recovered-duplicate")), "the run to start");

        await using var second = await HostAsync(home, time);
        await second.AdvanceUntilAsync(() => Task.FromResult(second.Events.Any(e => e.EventId == OrchestrationEventIds.RecoveringRunOwnerAlive)), "the recovered firing to find the run's owner alive");
        Scheduled.Gate("recovered-duplicate").TrySetResult();
        var run = await Eventually.Within(first.Client.WaitAsync(runId));

        Assert.Multiple(() =>
        {
            Assert.That(run.State, Is.EqualTo(RunState.Completed));
            Assert.That(Scheduled.Started.Count(s => s == "recovered-duplicate"), Is.EqualTo(1));
            Assert.That(second.Events.Select(e => e.EventId), Does.Not.Contain(OrchestrationEventIds.QueuedRunStarting));
        });
    }

    [Test]
    public async Task CancellingARunInProgress_CancelsItsToken_AndItEndsCancelled()
    {
        using var home = TempFolder.Create();
        var time = new FakeTimeProvider(Start);
        await using var host = await HostAsync(home, time);

        var runId = await host.Client.EnqueueAsync("orch-block", new { label = "cancel-running" });
        await host.AdvanceUntilAsync(() => Task.FromResult(Scheduled.Started.Contains("cancel-running")), "the run to start");
        var cancelled = await host.Client.CancelAsync(runId);
        var run = await Eventually.Within(host.Client.WaitAsync(runId));

        Assert.Multiple(async () =>
        {
            Assert.That(cancelled, Is.True);
            Assert.That(run.State, Is.EqualTo(RunState.Cancelled));
            Assert.That(await host.Client.CancelAsync(runId), Is.False, "an ended run");
            Assert.That(await host.Client.CancelAsync(Guid.CreateVersion7()), Is.False, "an unknown run");
        });
    }
}

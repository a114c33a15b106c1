using Flows.Orchestration.Logging;
using Flows.Orchestration.Tests.Fixtures;
using Flows.Orchestration.Tests.Support;
using Flows.Runs;
using Microsoft.Extensions.Time.Testing;

namespace Flows.Orchestration.Tests.Running;

/// <summary>A slot comes due while the run of the previous one is still going.</summary>
public sealed class OverlapTests
{
    private static DateTimeOffset Minute(int minute) => new(2026, 1, 5, 10, minute, 0, TimeSpan.Zero);

    private static Task<OrchestrationHost> StartAsync(TempFolder home, string label, DeploymentOverlap overlap) =>
        OrchestrationHost.StartAsync(home.Path, new FakeTimeProvider(Minute(0).AddSeconds(30)), o =>
            o.Deploy(label, "orch-block", d => d.Cron("* * * * *").Overlap(overlap).Parameters(new { label })));

    private static Task<bool> StartedAsync(string label, int count) => Task.FromResult(Scheduled.Started.Count(s => s == label) >= count);

    [Test]
    public async Task Skip_DropsTheSlotThatCameDueWhileARunWasGoing()
    {
        using var home = TempFolder.Create();
        await using var host = await StartAsync(home, "overlap-skip", DeploymentOverlap.Skip);

        await host.JumpToAsync(Minute(1).AddMilliseconds(200), () => StartedAsync("overlap-skip", 1), "the 10:01 run to start");
        await host.JumpToAsync(Minute(2).AddMilliseconds(200), () => Task.FromResult(host.Log.Lines.Any(l => l.EventId == OrchestrationEventIds.OverlapSlotSkipped)), "the 10:02 slot to be skipped");
        Scheduled.Gate("overlap-skip").TrySetResult();
        await host.EndedRunsAsync("overlap-skip", 1);
        await host.JumpToAsync(Minute(3).AddMilliseconds(200), async () => (await host.RunsOfAsync("overlap-skip")).Count(r => r.State.IsFinal()) == 2, "the 10:03 run");

        var runs = await host.RunsOfAsync("overlap-skip");
        Assert.Multiple(() =>
        {
            Assert.That(runs.Select(r => r.ScheduledFor), Is.EqualTo(new DateTimeOffset?[] { Minute(1), Minute(3) }));
            Assert.That(host.Log.Lines.Single(l => l.EventId == OrchestrationEventIds.OverlapSlotSkipped).Message, Does.Contain("slot 2026-01-05T10:02:00"));
        });
    }

    [Test]
    public async Task CancelRunning_CancelsTheRunningOne_AndRunsTheNewSlot()
    {
        using var home = TempFolder.Create();
        await using var host = await StartAsync(home, "overlap-cancel", DeploymentOverlap.CancelRunning);

        await host.JumpToAsync(Minute(1).AddMilliseconds(200), () => StartedAsync("overlap-cancel", 1), "the 10:01 run to start");
        await host.JumpToAsync(Minute(2).AddMilliseconds(200), () => StartedAsync("overlap-cancel", 2), "the 10:02 run to start");
        Scheduled.Gate("overlap-cancel").TrySetResult();
        var runs = await host.EndedRunsAsync("overlap-cancel", 2);

        Assert.Multiple(() =>
        {
            Assert.That(runs.Select(r => r.ScheduledFor), Is.EqualTo(new DateTimeOffset?[] { Minute(1), Minute(2) }));
            Assert.That(runs.Select(r => r.State), Is.EqualTo(new[] { RunState.Cancelled, RunState.Completed }));
        });
    }

    [Test]
    public async Task Queue_RunsTheSlotThatCameDue_AfterTheRunningOneEnds()
    {
        using var home = TempFolder.Create();
        await using var host = await OrchestrationHost.StartAsync(home.Path, new FakeTimeProvider(Minute(0).AddSeconds(30)), o => o
            .Deploy("overlap-queue", "orch-block", d => d.Cron("* * * * *").Overlap(DeploymentOverlap.Queue).Parameters(new { label = "overlap-queue" }))
            .Deploy("queue-witness", "orch-record", d => d.Cron("* * * * *").Parameters(new { label = "queue-witness" })));

        await host.JumpToAsync(Minute(1).AddMilliseconds(200), () => StartedAsync("overlap-queue", 1), "the 10:01 run to start");
        // The witness fires the same slots: once its 10:02 run has ended, the scheduler has been through 10:02.
        await host.JumpToAsync(Minute(2).AddMilliseconds(200), async () => (await host.RunsOfAsync("queue-witness")).Count(r => r.State.IsFinal()) == 2, "the witness's 10:02 run");
        var whileRunning = await host.RunsOfAsync("overlap-queue");
        Scheduled.Gate("overlap-queue").TrySetResult();
        var runs = await host.EndedRunsAsync("overlap-queue", 2);

        Assert.Multiple(() =>
        {
            Assert.That(whileRunning.Select(r => r.ScheduledFor), Is.EqualTo(new DateTimeOffset?[] { Minute(1) }), "10:02 waits");
            Assert.That(runs.Select(r => r.ScheduledFor), Is.EqualTo(new DateTimeOffset?[] { Minute(1), Minute(2) }));
            Assert.That(runs.Select(r => r.State), Is.All.EqualTo(RunState.Completed));
        });
    }

    // 2026-01-05 is a Monday and the 5th: "0 10 5 * 1" (the 5th or a Monday) needs two Quartz triggers, both due at 10:00.
    [Test]
    public async Task CancelRunning_SlotFiredByBothOfItsTriggers_RunsOnce_AndIsNotCancelledByItsDuplicate()
    {
        using var home = TempFolder.Create();
        await using var host = await OrchestrationHost.StartAsync(home.Path, new FakeTimeProvider(Minute(0).AddHours(-1).AddSeconds(30)), o =>
            o.Deploy("overlap-twin", "orch-block", d => d.Cron("0 10 5 * 1").Overlap(DeploymentOverlap.CancelRunning).Parameters(new { label = "overlap-twin" })));

        await host.JumpToAsync(Minute(0).AddMilliseconds(200), () => Task.FromResult(
            StartedAsync("overlap-twin", 1).Result && host.Log.Lines.Any(l => l.EventId == OrchestrationEventIds.DuplicateSlotSkipped)), "the run and its duplicate firing");
        var whileRunning = await host.RunsOfAsync("overlap-twin");
        Scheduled.Gate("overlap-twin").TrySetResult();
        var runs = await host.EndedRunsAsync("overlap-twin", 1);

        Assert.Multiple(() =>
        {
            Assert.That(whileRunning.Single().State, Is.EqualTo(RunState.Running));
            Assert.That(runs.Single().State, Is.EqualTo(RunState.Completed));
            Assert.That(host.Log.Lines.Select(l => l.EventId), Has.None.EqualTo(OrchestrationEventIds.OverlapRunCancelled));
        });
    }

    [Test]
    public async Task CancelRunning_LeavesABackfillsRunsAlone()
    {
        using var home = TempFolder.Create();
        await using var host = await StartAsync(home, "overlap-backfill", DeploymentOverlap.CancelRunning);

        await host.Deployments.BackfillAsync("overlap-backfill", Minute(0).AddMinutes(-2), Minute(0).AddMinutes(-1));
        await Eventually.UntilAsync(() => StartedAsync("overlap-backfill", 1), "the backfill's run to start");
        await host.JumpToAsync(Minute(1).AddMilliseconds(200), () => StartedAsync("overlap-backfill", 2), "the 10:01 run to start");
        Scheduled.Gate("overlap-backfill").TrySetResult();
        var runs = await host.EndedRunsAsync("overlap-backfill", 2);

        Assert.Multiple(() =>
        {
            Assert.That(runs.Select(r => r.ScheduledFor), Is.EqualTo(new DateTimeOffset?[] { Minute(0).AddMinutes(-2), Minute(1) }));
            Assert.That(runs.Select(r => r.State), Is.All.EqualTo(RunState.Completed));
        });
    }

    [Test]
    public async Task Skip_ALateDroppedFiring_IsLoggedWithItsOwnSlot()
    {
        using var home = TempFolder.Create();
        await using var host = await OrchestrationHost.StartAsync(home.Path, new FakeTimeProvider(Minute(0).AddSeconds(5)), o =>
            o.Deploy("overlap-late", "orch-block", d => d.Cron("*/10 * * * * *").Overlap(DeploymentOverlap.Skip).Parameters(new { label = "overlap-late" })));

        await host.JumpToAsync(Minute(0).AddSeconds(10).AddMilliseconds(200), () => StartedAsync("overlap-late", 1), "the 10:00:10 run to start");
        // 15 s late (inside the misfire threshold): the 10:00:20 firing is dropped while the newest slot is 10:00:30.
        await host.JumpToAsync(Minute(0).AddSeconds(35), () => Task.FromResult(host.Log.Lines.Any(l => l.EventId == OrchestrationEventIds.OverlapSlotSkipped)), "a slot to be skipped");
        Scheduled.Gate("overlap-late").TrySetResult();
        await host.EndedRunsAsync("overlap-late", 1);

        Assert.That(host.Log.Lines.First(l => l.EventId == OrchestrationEventIds.OverlapSlotSkipped).Message, Does.Contain("slot 2026-01-05T10:00:20"));
    }
}

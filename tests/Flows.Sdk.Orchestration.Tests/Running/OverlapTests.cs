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
}

using Flows.Orchestration.Logging;
using Flows.Orchestration.Tests.Fixtures;
using Flows.Orchestration.Tests.Support;
using Flows.Runs;
using Flows.Stores.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Flows.Orchestration.Tests.Hosting;

/// <summary>The host stops (SIGTERM) while a scheduled run is going.</summary>
public sealed class ShutdownTests
{
    private static readonly DateTimeOffset Slot = new(2026, 1, 5, 10, 1, 0, TimeSpan.Zero);

    private static async Task<OrchestrationHost> StartWithARunGoingAsync(TempFolder home, FakeTimeProvider time, string label)
    {
        var host = await OrchestrationHost.StartAsync(home.Path, time, o =>
        {
            o.ShutdownGrace = TimeSpan.FromSeconds(5);
            o.Deploy(label, "orch-block", d => d.Cron("* * * * *").Parameters(new { label }));
        });
        await host.JumpToAsync(Slot.AddMilliseconds(200), () => Task.FromResult(Scheduled.Started.Contains(label)), "the run to start");
        return host;
    }

    private static async Task<RunRecord> StoredRunAsync(TempFolder home, string label)
    {
        await using var store = new SqliteRunStore(home.File("flows.db"));
        return (await store.GetRunAsync(Flows.Orchestration.Running.SlotRunIds.For(label, Slot)))!;
    }

    [Test]
    public async Task ARunStillGoingWhenTheGraceIsOver_IsCancelled_AndRecordedSo()
    {
        using var home = TempFolder.Create();
        var time = new FakeTimeProvider(Slot.AddSeconds(-30));
        await using var host = await StartWithARunGoingAsync(home, time, "shutdown-cancel");

        var stop = host.Host.StopAsync();
        await Eventually.AdvanceUntilDone(time, stop, TimeSpan.FromSeconds(1));

        var run = await StoredRunAsync(home, "shutdown-cancel");
        Assert.Multiple(() =>
        {
            Assert.That(run.State, Is.EqualTo(RunState.Cancelled));
            Assert.That(host.Log.Lines.Select(l => l.EventId), Does.Contain(OrchestrationEventIds.ShutdownWaiting).And.Contain(OrchestrationEventIds.ShutdownCancelling));
        });
    }

    [Test]
    public async Task ARunThatEndsWithinTheGrace_Completes()
    {
        using var home = TempFolder.Create();
        var time = new FakeTimeProvider(Slot.AddSeconds(-30));
        await using var host = await StartWithARunGoingAsync(home, time, "shutdown-finish");

        var stop = host.Host.StopAsync();
        await Eventually.Until(() => host.Log.Lines.Any(l => l.EventId == OrchestrationEventIds.ShutdownWaiting), "the stop to wait for the run");
        Scheduled.Gate("shutdown-finish").TrySetResult();
        await Eventually.Within(stop);

        var run = await StoredRunAsync(home, "shutdown-finish");
        Assert.Multiple(() =>
        {
            Assert.That(run.State, Is.EqualTo(RunState.Completed));
            Assert.That(host.Log.Lines.Select(l => l.EventId), Does.Not.Contain(OrchestrationEventIds.ShutdownCancelling));
        });
    }

    // A catch-up firing runs its missed slots one after another: once the stop has cancelled the one going, the next
    // would start after the stop looked at what was running, unless the stop refuses it.
    [Test]
    public async Task AStopDuringCatchUp_CancelsTheRunGoing_AndStartsNoFurtherSlot()
    {
        using var home = TempFolder.Create();
        var time = new FakeTimeProvider(Slot.AddSeconds(-30));
        static void Declare(OrchestrationOptions o)
        {
            o.ShutdownGrace = TimeSpan.FromSeconds(5);
            o.Deploy("shutdown-catch-up", "orch-block", d => d.Cron("* * * * *").CatchUp(CatchUp.All, limit: 3).Parameters(new { label = "shutdown-catch-up" }));
        }

        await (await OrchestrationHost.StartAsync(home.Path, time, Declare)).DisposeAsync();
        time.SetUtcNow(Slot.AddMinutes(5).AddSeconds(30));
        await using var host = await OrchestrationHost.StartAsync(home.Path, time, Declare);
        await Eventually.Until(() => Scheduled.Started.Contains("shutdown-catch-up"), "the first caught-up run to start");

        var stop = host.Host.StopAsync();
        await Eventually.AdvanceUntilDone(time, stop, TimeSpan.FromSeconds(1));

        var runs = await host.RunsOfAsync("shutdown-catch-up");
        Assert.Multiple(() =>
        {
            Assert.That(runs.Select(r => r.ScheduledFor), Is.EqualTo(new DateTimeOffset?[] { Slot.AddMinutes(3) }), "the newest 3 missed slots are 10:03-10:05; only the first started");
            Assert.That(runs.Single().State, Is.EqualTo(RunState.Cancelled));
        });
    }
}

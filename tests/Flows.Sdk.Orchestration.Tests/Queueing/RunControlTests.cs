using Flows.Orchestration.Logging;
using Flows.Orchestration.Tests.Fixtures;
using Flows.Orchestration.Tests.Support;
using Flows.Runs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Flows.Orchestration.Tests.Queueing;

/// <summary><see cref="RunControl"/> with orchestration: a retry is queued where the run was, a cancel reaches a queued run.</summary>
public sealed class RunControlTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 5, 10, 0, 30, TimeSpan.Zero);

    private static Task<OrchestrationHost> HostAsync(TempFolder home, FakeTimeProvider time, params (string Key, string Value)[] settings) =>
        OrchestrationHost.StartAsync(home.Path, time, _ => { }, settings.ToDictionary(s => $"Flows:Orchestration:{s.Key}", s => (string?)s.Value));

    [Test]
    public async Task Retry_OfAQueuedRun_IsQueuedInItsQueue_WithItsParameters_AndAWorkerRunsIt()
    {
        using var home = TempFolder.Create();
        var time = new FakeTimeProvider(Start);
        await using var host = await HostAsync(home, time, ("Queues:0", "night"));
        var control = host.Host.Services.GetRequiredService<RunControl>();
        var first = await host.Client.EnqueueAsync("orch-record", new { label = "retried-in-night" }, queue: "night");
        await host.AdvanceUntilAsync(async () => (await host.Client.GetRunAsync(first))?.State == RunState.Completed, "the first run to complete");

        var second = await control.RetryAsync(first);
        var queued = await host.Client.GetRunAsync(second);
        await host.AdvanceUntilAsync(async () => (await host.Client.GetRunAsync(second))?.State == RunState.Completed, "the retry to complete");

        Assert.Multiple(() =>
        {
            Assert.That(second, Is.Not.EqualTo(first));
            Assert.That(queued!.State, Is.AnyOf(RunState.Scheduled, RunState.Pending, RunState.Running, RunState.Completed), "recorded before RetryAsync returned");
            Assert.That(queued.Tags, Is.EqualTo(new[] { "queue:night" }), "queued where the first run was, tagged once");
            Assert.That(queued.Parameters, Does.Contain("retried-in-night"));
            Assert.That(Scheduled.Calls.Count(c => c == "retried-in-night"), Is.EqualTo(2));
            Assert.That(host.Events.Select(e => e.EventId), Does.Contain(OrchestrationEventIds.RunRetried));
        });
    }

    [Test]
    public async Task Cancel_OfAQueuedRunNotStarted_EndsItAtOnce_AndRetryRefusesWhatItCannotRetry()
    {
        using var home = TempFolder.Create();
        await using var host = await HostAsync(home, new FakeTimeProvider(Start), ("Works", "false"));
        var control = host.Host.Services.GetRequiredService<RunControl>();
        var queued = await host.Client.EnqueueAsync("orch-record", new { label = "never" });

        var notEnded = Assert.ThrowsAsync<RunControlException>(() => control.RetryAsync(queued))!;
        var cancelled = await control.CancelAsync(queued, "not tonight");
        var again = await control.CancelAsync(queued, "not tonight");
        var unknown = Assert.ThrowsAsync<RunControlException>(() => control.RetryAsync(Guid.CreateVersion7()))!;

        Assert.Multiple(() =>
        {
            Assert.That(notEnded.Refusal, Is.EqualTo(RunControlRefusal.NotEnded));
            Assert.That(notEnded.Message, Does.Contain("has not ended"));
            Assert.That(cancelled.Outcome, Is.EqualTo(RunCancelOutcome.CancelledBeforeStart));
            Assert.That(cancelled.After.State, Is.EqualTo(RunState.Cancelled));
            Assert.That(again.Outcome, Is.EqualTo(RunCancelOutcome.AlreadyEnded));
            Assert.That(unknown.Refusal, Is.EqualTo(RunControlRefusal.UnknownRun));
        });
    }
}

using System.Text.Json;
using Flows.Orchestration.Logging;
using Flows.Orchestration.Running;
using Flows.Runs;
using Flows.Orchestration.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Flows.Orchestration.Tests.Hosting;

public sealed class DuplicateFireTests
{
    [Test]
    public async Task ASlotFiredTwice_ClaimsOneRun()
    {
        using var home = TempFolder.Create();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 10, 0, 30, TimeSpan.Zero));
        // Two schedules that share every slot: two Quartz triggers fire each slot, as two nodes or two processes would.
        await using var host = await OrchestrationHost.StartAsync(home.Path, time, o =>
            o.Deploy("twice", "orch-record", d => d.Cron("* * * * *").Cron("0-59 * * * *").Parameters(new { label = "twice" })));

        var slot = new DateTimeOffset(2026, 1, 5, 10, 1, 0, TimeSpan.Zero);
        await host.JumpToAsync(slot.AddMilliseconds(200), () => Task.FromResult(host.Log.Lines.Any(l => l.EventId == OrchestrationEventIds.DuplicateSlotSkipped)), "the second firing of the slot");
        var runs = await host.EndedRunsAsync("twice", 1);

        Assert.Multiple(() =>
        {
            Assert.That(runs.Select(r => r.ScheduledFor), Is.EqualTo(new DateTimeOffset?[] { slot }));
            Assert.That(host.Log.Lines.Count(l => l.EventId == OrchestrationEventIds.SlotFired), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task ASlotWhoseRunWasCreatedButNeverStarted_RunsOnceWhenItFiresAgain()
    {
        using var home = TempFolder.Create();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 10, 0, 30, TimeSpan.Zero));
        await using var host = await OrchestrationHost.StartAsync(home.Path, time, o =>
            o.Deploy("recovered", "orch-record", d => d.Cron("* * * * *").Parameters(new { label = "recovered" })));
        var slot = new DateTimeOffset(2026, 1, 5, 10, 1, 0, TimeSpan.Zero);

        // What a process that created the slot's run and stopped before starting it leaves behind.
        var parameters = new Dictionary<string, JsonElement> { ["label"] = JsonSerializer.SerializeToElement("recovered") };
        await host.Engine.TryScheduleRunAsync("orch-record", parameters, new RunStart { RunId = SlotRunIds.For("recovered", slot), Deployment = "recovered", ScheduledFor = slot });
        await host.JumpToAsync(slot.AddMilliseconds(200), async () => (await host.RunsOfAsync("recovered")).Any(r => r.State.IsFinal()), "the slot's run ends");
        var runs = await host.EndedRunsAsync("recovered", 1);

        Assert.Multiple(() =>
        {
            Assert.That(runs.Select(r => (r.ScheduledFor, r.State)), Is.EqualTo(new[] { ((DateTimeOffset?)slot, RunState.Completed) }));
            Assert.That(host.Log.Lines.Where(l => l.EventId == OrchestrationEventIds.DuplicateSlotSkipped), Is.Empty, "not taken for a duplicate");
        });
    }
}

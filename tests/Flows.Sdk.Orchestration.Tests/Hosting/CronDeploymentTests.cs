using Flows.Orchestration.Running;
using Flows.Orchestration.Tests.Support;
using Flows.Runs;
using Microsoft.Extensions.Time.Testing;

namespace Flows.Orchestration.Tests.Hosting;

public sealed class CronDeploymentTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 5, 10, 0, 30, TimeSpan.Zero);

    [Test]
    public async Task ACronDeployment_RunsItsFlowWithItsParameters_OnceAtEachSlot()
    {
        using var home = TempFolder.Create();
        var time = new FakeTimeProvider(Start);
        await using var host = await OrchestrationHost.StartAsync(home.Path, time, o =>
            o.Deploy("minutely", "orch-record", d => d.Cron("* * * * *").Parameters(new { label = "minutely-a" })));

        var firstSlot = new DateTimeOffset(2026, 1, 5, 10, 1, 0, TimeSpan.Zero);
        await host.JumpToAsync(firstSlot.AddMilliseconds(200), async () => (await host.RunsOfAsync("minutely")).Any(r => r.State.IsFinal()), "the first slot's run");
        await host.JumpToAsync(firstSlot.AddMinutes(1).AddMilliseconds(200), async () => (await host.RunsOfAsync("minutely")).Count(r => r.State.IsFinal()) == 2, "the second slot's run");

        var runs = await host.RunsOfAsync("minutely");
        Assert.Multiple(() =>
        {
            Assert.That(runs.Select(r => r.ScheduledFor), Is.EqualTo(new DateTimeOffset?[] { firstSlot, firstSlot.AddMinutes(1) }));
            Assert.That(runs.Select(r => r.Id), Is.EqualTo(new[] { SlotRunIds.For("minutely", firstSlot), SlotRunIds.For("minutely", firstSlot.AddMinutes(1)) }));
            Assert.That(runs.Select(r => r.State), Is.All.EqualTo(RunState.Completed));
            Assert.That(runs.Select(r => r.Name), Is.All.EqualTo("orch-record"));
            Assert.That(Fixtures.Scheduled.Calls, Has.Exactly(2).EqualTo("minutely-a"));
            Assert.That(QuartzTables.JournalMode(home.File("quartz.db")), Is.EqualTo("wal"), "the job store's own file, in write-ahead logging");
        });
    }
}

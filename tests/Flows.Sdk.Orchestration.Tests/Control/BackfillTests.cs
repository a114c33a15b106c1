using Flows.Orchestration.Running;
using Flows.Orchestration.Tests.Support;
using Flows.Runs;
using Microsoft.Extensions.Time.Testing;

namespace Flows.Orchestration.Tests.Control;

public sealed class BackfillTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 5, 10, 0, 30, TimeSpan.Zero);

    private static DateTimeOffset Hour(int hour) => new(2026, 1, 5, hour, 0, 0, TimeSpan.Zero);

    [Test]
    public async Task ABackfill_RunsEachSlotOfTheWindowOnce_AndRunningItAgainRunsNothing()
    {
        using var home = TempFolder.Create();
        await using var host = await OrchestrationHost.StartAsync(home.Path, new FakeTimeProvider(Now), o =>
            o.Deploy("hourly", "orch-record", d => d.Cron("0 * * * *").Parameters(new { label = "backfilled" })));

        var first = await host.Deployments.BackfillAsync("hourly", Hour(5), Hour(10));
        var runs = await host.EndedRunsAsync("hourly", 5);
        var again = await host.Deployments.BackfillAsync("hourly", Hour(5), Hour(10));
        var transitions = await host.Engine.Store.GetTransitionsAsync(runs[0].Id);

        Assert.Multiple(async () =>
        {
            Assert.That(first.Slots, Is.EqualTo(new[] { Hour(5), Hour(6), Hour(7), Hour(8), Hour(9) }));
            Assert.That((first.Scheduled, first.AlreadyDone), Is.EqualTo((5, 0)));
            Assert.That(runs.Select(r => r.ScheduledFor), Is.EqualTo(first.Slots.Cast<DateTimeOffset?>()));
            Assert.That(runs.Select(r => r.Id), Is.EqualTo(first.Slots.Select(s => SlotRunIds.For("hourly", s))));
            Assert.That(runs.Select(r => r.State), Is.All.EqualTo(RunState.Completed));
            Assert.That(transitions.Select(t => t.State), Does.Not.Contain(RunState.Late), "a backfill is late on purpose");
            Assert.That((again.Scheduled, again.AlreadyDone), Is.EqualTo((0, 5)));
            Assert.That(await host.RunsOfAsync("hourly"), Has.Count.EqualTo(5));
        });
    }

    [Test]
    public async Task ABackfill_RefusesAWindowReachingIntoTheFuture_OrHoldingTooManySlots()
    {
        using var home = TempFolder.Create();
        await using var host = await OrchestrationHost.StartAsync(home.Path, new FakeTimeProvider(Now), o =>
            o.Deploy("minutely", "orch-record", d => d.Cron("* * * * *")));

        var future = Assert.ThrowsAsync<ArgumentException>(() => host.Deployments.BackfillAsync("minutely", Hour(9), Hour(11)));
        var tooMany = Assert.ThrowsAsync<ArgumentException>(() => host.Deployments.BackfillAsync("minutely", Hour(9).AddDays(-2), Hour(9)));

        Assert.Multiple(() =>
        {
            Assert.That(future!.Message, Does.Contain("is in the future"));
            Assert.That(tooMany!.Message, Does.Contain("holds more than 1000 slots"));
        });
    }
}

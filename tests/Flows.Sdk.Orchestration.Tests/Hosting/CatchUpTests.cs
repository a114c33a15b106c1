using Microsoft.Extensions.DependencyInjection;
using Flows.Orchestration.Tests.Support;
using Flows.Runs;
using Microsoft.Extensions.Time.Testing;

namespace Flows.Orchestration.Tests.Hosting;

/// <summary>The host is down for ten minutely slots; on restart each catch-up policy holds exactly.</summary>
public sealed class CatchUpTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 5, 10, 0, 30, TimeSpan.Zero);

    private static DateTimeOffset Minute(int minute) => new(2026, 1, 5, 10, minute, 0, TimeSpan.Zero);

    private static void Declare(OrchestrationOptions o) => o
        .Deploy("catch-none", "orch-record", d => d.Cron("* * * * *").CatchUp(CatchUp.None))
        .Deploy("catch-latest", "orch-record", d => d.Cron("* * * * *").LateAfter(TimeSpan.FromSeconds(10)))
        .Deploy("catch-all", "orch-record", d => d.Cron("* * * * *").CatchUp(CatchUp.All, limit: 5));

    [Test]
    public async Task AfterTenMissedSlots_NoneRunsNothing_LatestRunsTheNewest_AllRunsTheNewestUpToItsLimit()
    {
        using var home = TempFolder.Create();
        var time = new FakeTimeProvider(Start);
        await (await OrchestrationHost.StartAsync(home.Path, time, Declare)).DisposeAsync();

        time.SetUtcNow(Minute(10).AddSeconds(30));
        await using var host = await OrchestrationHost.StartAsync(home.Path, time, Declare);
        await host.EndedRunsAsync("catch-latest", 1);
        await host.EndedRunsAsync("catch-all", 5);
        await host.JumpToAsync(Minute(11).AddMilliseconds(200), async () =>
            (await host.RunsOfAsync("catch-none")).Count(r => r.State.IsFinal()) == 1
            && (await host.RunsOfAsync("catch-latest")).Count(r => r.State.IsFinal()) == 2
            && (await host.RunsOfAsync("catch-all")).Count(r => r.State.IsFinal()) == 6, "the 10:11 slot of each deployment");

        var latest = await host.RunsOfAsync("catch-latest");
        var lateTransitions = await host.Engine.Store.GetTransitionsAsync(latest[0].Id);
        var onTimeTransitions = await host.Engine.Store.GetTransitionsAsync(latest[1].Id);
        Assert.Multiple(async () =>
        {
            Assert.That((await host.RunsOfAsync("catch-none")).Select(r => r.ScheduledFor), Is.EqualTo(new DateTimeOffset?[] { Minute(11) }));
            Assert.That(latest.Select(r => r.ScheduledFor), Is.EqualTo(new DateTimeOffset?[] { Minute(10), Minute(11) }));
            Assert.That((await host.RunsOfAsync("catch-all")).Select(r => r.ScheduledFor),
                Is.EqualTo(new DateTimeOffset?[] { Minute(6), Minute(7), Minute(8), Minute(9), Minute(10), Minute(11) }));
            Assert.That(lateTransitions.Select(t => t.State), Does.Contain(RunState.Late), "started 30 s after its slot, threshold 10 s");
            Assert.That(onTimeTransitions.Select(t => t.State), Does.Not.Contain(RunState.Late));
            Assert.That(host.Log.Lines.Where(l => l.EventId == Logging.OrchestrationEventIds.CatchUpSlotsDropped).Select(l => l.Message),
                Has.Exactly(1).Contains("Deployment catch-all missed more slots than its catch-up limit of 5"), "one warning for the burst");
        });
    }

    [Test]
    public async Task Latest_WithTwoSchedules_RunsOnlyTheDeploymentsNewestMissedSlot()
    {
        using var home = TempFolder.Create();
        var time = new FakeTimeProvider(Start);
        static void Twice(OrchestrationOptions o) => o.Deploy("catch-latest-two", "orch-record", d => d.Cron("0 * * * *").Cron("30 * * * *"));
        await (await OrchestrationHost.StartAsync(home.Path, time, Twice)).DisposeAsync();

        // Down from 10:00:30 to 12:45: the ":00" schedule missed 11:00 and 12:00, the ":30" one 10:30, 11:30 and 12:30.
        time.SetUtcNow(Minute(0).AddMinutes(165));
        await using var host = await OrchestrationHost.StartAsync(home.Path, time, Twice);
        await host.EndedRunsAsync("catch-latest-two", 1);
        await Eventually.UntilAsync(() => Task.FromResult(host.Log.Lines.Count(l => l.EventId is Logging.OrchestrationEventIds.SlotFired or Logging.OrchestrationEventIds.DuplicateSlotSkipped) >= 2), "both triggers' catch-up firings");

        Assert.That((await host.RunsOfAsync("catch-latest-two")).Select(r => r.ScheduledFor), Is.EqualTo(new DateTimeOffset?[] { Minute(0).AddMinutes(150) }));
    }

    [Test]
    public async Task All_AfterALongOutage_FiresOnce_AndRunsTheNewestSlotsUpToItsLimit()
    {
        using var home = TempFolder.Create();
        var time = new FakeTimeProvider(Start);
        static void Declare(OrchestrationOptions o) => o.Deploy("catch-all-long", "orch-record", d => d.Cron("* * * * *").CatchUp(CatchUp.All, limit: 3));
        await (await OrchestrationHost.StartAsync(home.Path, time, Declare)).DisposeAsync();

        // Down for 3000 minutely slots.
        var back = Minute(0).AddMinutes(3000).AddSeconds(30);
        time.SetUtcNow(back);
        await using var host = OrchestrationHost.Create(home.Path, time, Declare);
        var firings = new FiringCounter();
        var scheduler = await host.Host.Services.GetRequiredService<Flows.Orchestration.Hosting.OrchestrationScheduler>().GetAsync(default);
        scheduler.ListenerManager.AddJobListener(firings);
        await Eventually.Within(host.Host.StartAsync());
        var runs = await host.EndedRunsAsync("catch-all-long", 3);

        Assert.Multiple(() =>
        {
            Assert.That(runs.Select(r => r.ScheduledFor), Is.EqualTo(new DateTimeOffset?[] { back.AddSeconds(-150), back.AddSeconds(-90), back.AddSeconds(-30) }));
            Assert.That(firings.Count, Is.EqualTo(1), "one firing for the whole outage");
            Assert.That(host.Log.Lines.Where(l => l.EventId == Logging.OrchestrationEventIds.CatchUpSlotsDropped).Select(l => l.Message),
                Has.Exactly(1).Contains("catch-up limit of 3"));
        });
    }

    private sealed class FiringCounter : Quartz.IJobListener
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public string Name => "catch-up-firings";

        public ValueTask JobToBeExecuted(Quartz.IJobExecutionContext context, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _count);
            return ValueTask.CompletedTask;
        }

        public ValueTask JobExecutionVetoed(Quartz.IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask JobWasExecuted(Quartz.IJobExecutionContext context, Quartz.JobExecutionException? jobException, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    }
}

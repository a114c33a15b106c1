using System.Globalization;
using System.Text.Json;
using Flows.Orchestration.Running;
using Flows.Orchestration.Testing;
using Flows.Runs;
using Flows.Stores;

namespace Flows.Orchestration.Tests.Testing;

public sealed class ScheduleHarnessTests
{
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    // 2026-01-01T00:00 in New York.
    private static readonly DateTimeOffset NewYear = new(2026, 1, 1, 5, 0, 0, TimeSpan.Zero);

    /// <summary>The application's deployments, as its Program would pass them to AddOrchestration.</summary>
    private static void Deployments(OrchestrationOptions o) => o
        .Deploy("sync-ohio", "harness-sync", d => d.Cron("0 6 * * 1-5", "America/New_York").Parameters(new { states = new[] { "OH" } }))
        .Deploy("sync-all-weekly", "harness-sync", d => d.Cron("0 7 * * 0", "America/New_York").Parameters(new { states = new[] { "OH", "PA" }, full = true }))
        .Deploy("ping", "harness-ping", d => d.Interval(TimeSpan.FromHours(6)));

    [Test]
    public async Task Advance_ListsEachDeploymentsSlots_WithTheirParametersAndLocalTimes()
    {
        await using var harness = new ScheduleHarness(Deployments, h => { h.StartTime = NewYear; h.DeployFlowSchedules = false; });

        // Twelve days from Thursday 2026-01-01: eight weekday slots, two Sundays, 48 six-hour pings.
        var slots = await harness.AdvanceAsync(TimeSpan.FromDays(12));

        var ohio = slots.Where(s => s.Deployment == "sync-ohio").ToList();
        var weekly = slots.Where(s => s.Deployment == "sync-all-weekly").ToList();
        Assert.Multiple(() =>
        {
            Assert.That(ohio.Select(s => s.LocalSlot.ToString("yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture)), Is.EqualTo(new[]
            {
                "2026-01-01 06:00 -05:00", "2026-01-02 06:00 -05:00", "2026-01-05 06:00 -05:00", "2026-01-06 06:00 -05:00",
                "2026-01-07 06:00 -05:00", "2026-01-08 06:00 -05:00", "2026-01-09 06:00 -05:00", "2026-01-12 06:00 -05:00",
            }));
            Assert.That(ohio[0].Slot, Is.EqualTo(new DateTimeOffset(2026, 1, 1, 11, 0, 0, TimeSpan.Zero)));
            Assert.That(ohio[0].TimeZone, Is.EqualTo("America/New_York"));
            Assert.That(ohio[0].Flow, Is.EqualTo("harness-sync"));
            Assert.That(ohio[0].Parameters["states"].ToString(), Is.EqualTo("[\"OH\"]"));
            Assert.That(ohio[0].Run, Is.Null, "listing slots runs nothing");
            Assert.That(weekly.Select(s => s.LocalSlot.Day), Is.EqualTo(new[] { 4, 11 }));
            Assert.That(weekly[0].Parameters["full"].GetBoolean(), Is.True);
            Assert.That(slots.Count(s => s.Deployment == "ping"), Is.EqualTo(12 * 4));
            Assert.That(slots.Select(s => s.Slot), Is.Ordered, "slots come oldest first");
            Assert.That(harness.Flows.Runs, Is.Empty);
        });
    }

    [Test]
    public async Task Year_OfTwoNewYorkCrons_RunsOncePerLocalDay_ThroughBothDstChanges()
    {
        await using var harness = new ScheduleHarness(
            o => o.Deploy("at-two", "harness-ping", d => d.Cron("0 2 * * *", "America/New_York"))
                  .Deploy("at-one-thirty", "harness-ping", d => d.Cron("30 1 * * *", "America/New_York")),
            h => { h.StartTime = NewYear; h.DeployFlowSchedules = false; });

        var slots = await harness.AdvanceToAsync(NewYear.AddYears(1).AddTicks(-1));

        foreach (var deployment in new[] { "at-two", "at-one-thirty" })
        {
            var perDay = slots.Where(s => s.Deployment == deployment).GroupBy(s => DateOnly.FromDateTime(s.LocalSlot.DateTime)).ToDictionary(g => g.Key, g => g.Count());
            Assert.That(perDay.Values.Sum(), Is.EqualTo(365), $"{deployment}: one run per day of 2026");
            Assert.That(perDay, Has.Count.EqualTo(365).And.All.Property("Value").EqualTo(1), $"{deployment}: every local day exactly once");
        }

        // Spring forward (02:00 EST -> 03:00 EDT): 02:00 does not exist; its slot is the first instant after the gap.
        Assert.That(Local(slots, "at-two", 3, 8), Is.EqualTo(new[] { "03:00 -04:00" }));
        Assert.That(Local(slots, "at-one-thirty", 3, 8), Is.EqualTo(new[] { "01:30 -05:00" }));
        // Fall back (02:00 EDT -> 01:00 EST): 01:30 happens twice; only the first (EDT) runs.
        Assert.That(Local(slots, "at-one-thirty", 11, 1), Is.EqualTo(new[] { "01:30 -04:00" }));
        Assert.That(Local(slots, "at-two", 11, 1), Is.EqualTo(new[] { "02:00 -05:00" }));
    }

    [Test]
    public async Task Advance_ACrontabWithBothDayFields_StartsOneRunOnADayBothMatch()
    {
        // Crontab's day rule: the 13th OR a Friday - two Quartz triggers; Friday 2026-02-13 is one slot.
        await using var harness = new ScheduleHarness(
            o => o.Deploy("thirteenth-or-friday", "harness-ping", d => d.Cron("0 9 13 * 5")),
            h => { h.StartTime = new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero); h.DeployFlowSchedules = false; });

        var slots = await harness.AdvanceAsync(TimeSpan.FromDays(28));

        Assert.That(slots.Select(s => s.Slot.Day), Is.EqualTo(new[] { 6, 13, 20, 27 }));
    }

    [Test]
    public async Task RunFlows_RunsEachSlotOnTheInMemoryEngine_UnderItsSlotRunId()
    {
        await using var harness = new ScheduleHarness(Deployments, h => { h.StartTime = NewYear; h.DeployFlowSchedules = false; h.RunFlows = true; });

        var slots = await harness.AdvanceAsync(TimeSpan.FromDays(2));

        var ohio = slots.Where(s => s.Deployment == "sync-ohio").ToList();
        Assert.Multiple(() =>
        {
            Assert.That(ohio, Has.Count.EqualTo(2));
            Assert.That(ohio.Select(s => s.Run?.State), Is.All.EqualTo(RunState.Completed));
            Assert.That(ohio.Select(s => s.Run?.Id), Is.EqualTo(ohio.Select(s => (Guid?)SlotRunIds.For("sync-ohio", s.Slot))));
            Assert.That(ohio.Select(s => s.Run?.ScheduledFor), Is.EqualTo(ohio.Select(s => (DateTimeOffset?)s.Slot)));
            Assert.That(ohio[0].Run?.Result, Is.EqualTo("1"));
            Assert.That(harness.Flows.Runs.Where(r => r.Deployment == "ping").Select(r => r.State).ToList(), Has.Count.EqualTo(8).And.All.EqualTo(RunState.Completed));
        });
    }

    [Test]
    public async Task Advance_APausedDeployment_StartsNothingUntilResumed()
    {
        await using var harness = new ScheduleHarness(Deployments, h => { h.StartTime = NewYear; h.DeployFlowSchedules = false; });
        await harness.AdvanceAsync(TimeSpan.Zero);

        await harness.Deployments.PauseAsync("ping", "maintenance", "ops");
        var paused = await harness.AdvanceAsync(TimeSpan.FromDays(1));
        await harness.Deployments.ResumeAsync("ping");
        var resumed = await harness.AdvanceAsync(TimeSpan.FromDays(1));

        // Slots that came by while paused are not run on resume (not even the newest, under Latest, the default); the
        // interval goes on on its grid from the first slot after the resume.
        Assert.That(paused.Where(s => s.Deployment == "ping"), Is.Empty);
        Assert.That(resumed.Where(s => s.Deployment == "ping").Select(s => s.Slot.UtcDateTime.ToString("dd HH:mm", CultureInfo.InvariantCulture)),
            Is.EqualTo(new[] { "02 06:00", "02 12:00", "02 18:00", "03 00:00" }), string.Join(", ", resumed));
    }

    [Test]
    public void Constructor_ABadDeployment_ThrowsTheErrorTheHostWould()
    {
        var error = Assert.Throws<DeploymentException>(() => _ = new ScheduleHarness(
            o => o.Deploy("ohio-typo", "harness-sync", d => d.Cron("0 6 * * 1-5", "America/New_York").Parameters(new { states = "OH" })),
            h => h.DeployFlowSchedules = false));

        Assert.That(error!.Message, Does.Contain("ohio-typo").And.Contain("states"));
    }

    private static string[] Local(IReadOnlyList<ScheduledSlot> slots, string deployment, int month, int day) =>
        [.. slots.Where(s => s.Deployment == deployment && s.LocalSlot.Month == month && s.LocalSlot.Day == day)
            .Select(s => s.LocalSlot.ToString("HH:mm zzz", CultureInfo.InvariantCulture))];

    [Test]
    public async Task Deployments_AreListedBeforeTheClockHasMoved()
    {
        await using var harness = new ScheduleHarness(Deployments, h => { h.StartTime = NewYear; h.DeployFlowSchedules = false; });

        var listed = await harness.Deployments.ListAsync();

        Assert.That(listed.Select(d => d.Name), Is.EquivalentTo(new[] { "sync-ohio", "sync-all-weekly", "ping" }));
    }

    [Test]
    public async Task Backfill_IsListedAsItsSlots_AndRunsNothingWithoutRunFlows()
    {
        await using var harness = new ScheduleHarness(Deployments, h => { h.StartTime = NewYear.AddDays(14); h.DeployFlowSchedules = false; });

        // Ohio's weekdays from 2026-01-05 to 2026-01-09, New York 06:00.
        var result = await harness.Deployments.BackfillAsync("sync-ohio", NewYear.AddDays(4), NewYear.AddDays(9));
        var slots = await harness.AdvanceAsync(TimeSpan.Zero);
        var runs = await harness.Flows.Store.QueryRunsAsync(new RunQuery { Kind = RunKind.Flow, Limit = 100 });

        Assert.Multiple(() =>
        {
            Assert.That(result.Scheduled, Is.EqualTo(5));
            Assert.That(slots.Select(s => (s.Deployment, s.LocalSlot.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture))), Is.EqualTo(new[]
            {
                ("sync-ohio", "2026-01-05 06:00"), ("sync-ohio", "2026-01-06 06:00"), ("sync-ohio", "2026-01-07 06:00"),
                ("sync-ohio", "2026-01-08 06:00"), ("sync-ohio", "2026-01-09 06:00"),
            }));
            Assert.That(runs, Is.Empty, "the harness lists slots; only RunFlows runs them");
        });
    }

    [Test]
    public async Task Resume_WithCatchUpAll_ListsNoSlotMissedWhilePaused_OnlyTheSlotsAfter()
    {
        await using var harness = new ScheduleHarness(
            o => o.Deploy("hourly", "harness-ping", d => d.Cron("0 * * * *").CatchUp(CatchUp.All, limit: 3)),
            h => { h.StartTime = NewYear.AddMinutes(30); h.DeployFlowSchedules = false; });

        await harness.Deployments.PauseAsync("hourly", "maintenance", "test");
        await harness.AdvanceAsync(TimeSpan.FromHours(10));
        await harness.Deployments.ResumeAsync("hourly");
        var slots = await harness.AdvanceAsync(TimeSpan.FromMinutes(31));

        Assert.That(slots.Select(s => s.Slot), Is.EqualTo(new[] { NewYear.AddHours(11) }), "a pause skips its slots, whatever the catch-up policy");
    }
}

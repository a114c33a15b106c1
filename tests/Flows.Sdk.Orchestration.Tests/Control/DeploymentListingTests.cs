using System.Text.Json;
using Flows.Orchestration.Tests.Fixtures;
using Flows.Orchestration.Tests.Support;
using Flows.Runs;
using Microsoft.Extensions.Time.Testing;
using Quartz;

namespace Flows.Orchestration.Tests.Control;

/// <summary>What <see cref="IDeployments.ListAsync"/> tells a page about schedules, and running a deployment now with parameters.</summary>
public sealed class DeploymentListingTests
{
    // A Monday, 10:00:30 UTC (05:00:30 in New York).
    private static readonly DateTimeOffset Start = new(2026, 1, 5, 10, 0, 30, TimeSpan.Zero);

    [Test]
    public async Task UpcomingFireTimes_AreTheNextFiveOfAllSchedulesMerged_AsQuartzComputesThem()
    {
        using var home = TempFolder.Create();
        var time = new FakeTimeProvider(Start);
        await using var host = await OrchestrationHost.StartAsync(home.Path, time, o => o
            .Deploy("two", "orch-record", d => d.Cron("0 6 * * 1-5", "America/New_York").Interval(TimeSpan.FromHours(7))));

        var info = (await host.Deployments.ListAsync()).Single();

        // Quartz's own answers, computed here without the deployment: weekdays 06:00 New York, and every 7 h from the epoch.
        var weekdays = new CronExpression("0 0 6 ? * MON-FRI", TimeZoneInfo.FindSystemTimeZoneById("America/New_York"));
        var expected = new SortedSet<DateTimeOffset>();
        for (var (slot, i) = (weekdays.GetNextValidTimeAfter(Start), 0); slot is { } s && i < 5; slot = weekdays.GetNextValidTimeAfter(s), i++)
        {
            expected.Add(s);
        }

        var every = TimeSpan.FromHours(7);
        var first = DateTimeOffset.UnixEpoch + (every * Math.Ceiling((Start - DateTimeOffset.UnixEpoch) / every));
        for (var i = 0; i < 5; i++)
        {
            expected.Add(first + (every * i));
        }

        Assert.Multiple(() =>
        {
            Assert.That(info.UpcomingFireTimes, Is.EqualTo(expected.Take(5).ToArray()));
            Assert.That(info.UpcomingFireTimes[0], Is.EqualTo(info.NextFireTime));
            Assert.That(info.ScheduleDefinitions, Is.EqualTo(new[]
            {
                new DeploymentSchedule("0 6 * * 1-5", "America/New_York", null, null),
                new DeploymentSchedule(null, null, every, null),
            }));
        });
    }

    [Test]
    public async Task UpcomingFireTimes_AreEmptyWhilePaused_AndBackOnResume()
    {
        using var home = TempFolder.Create();
        var time = new FakeTimeProvider(Start);
        await using var host = await OrchestrationHost.StartAsync(home.Path, time, o => o.Deploy("hourly", "orch-record", d => d.Cron("0 * * * *")));

        await host.Deployments.PauseAsync("hourly", "upstream is down", "ops");
        var paused = (await host.Deployments.ListAsync()).Single();
        await host.Deployments.ResumeAsync("hourly");
        var resumed = (await host.Deployments.ListAsync()).Single();

        Assert.That(paused.UpcomingFireTimes, Is.Empty);
        Assert.That(resumed.UpcomingFireTimes, Is.EqualTo(Enumerable.Range(1, 5).Select(h => new DateTimeOffset(2026, 1, 5, 10 + h, 0, 0, TimeSpan.Zero)).ToArray()));
    }

    [Test]
    public async Task RunDeploymentNow_WithParameters_GivesThemOverItsOwn_AndRefusesABadOneBeforeStoringAnything()
    {
        using var home = TempFolder.Create();
        var time = new FakeTimeProvider(Start);
        await using var host = await OrchestrationHost.StartAsync(home.Path, time, o =>
            o.Deploy("yearly-report", "orch-record", d => d.Cron("0 6 1 1 *").Parameters(new { label = "its-own" })));
        var before = (await host.RunsOfAsync("yearly-report")).Count;

        var runId = await host.Client.RunDeploymentAsync("yearly-report", new Dictionary<string, JsonElement> { ["label"] = JsonSerializer.SerializeToElement("given-now") });
        var run = await Eventually.Within(host.Client.WaitAsync(runId));
        var mistyped = Assert.ThrowsAsync<FlowParameterException>(() =>
            host.Client.RunDeploymentAsync("yearly-report", new Dictionary<string, JsonElement> { ["label"] = JsonSerializer.SerializeToElement(3) }))!;
        var unknown = Assert.ThrowsAsync<FlowParameterException>(() =>
            host.Client.RunDeploymentAsync("yearly-report", new Dictionary<string, JsonElement> { ["nope"] = JsonSerializer.SerializeToElement(1) }))!;

        Assert.Multiple(async () =>
        {
            Assert.That(run.State, Is.EqualTo(RunState.Completed));
            Assert.That(Scheduled.Calls, Does.Contain("given-now"));
            Assert.That(mistyped.ParameterName, Is.EqualTo("label"));
            Assert.That(unknown.ParameterName, Is.EqualTo("nope"));
            Assert.That((await host.RunsOfAsync("yearly-report")).Count, Is.EqualTo(before + 1), "only the good request stored a run");
        });
    }
}

using Flows.Orchestration.Logging;
using Flows.Orchestration.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Flows.Orchestration.Tests.Reconciling;

/// <summary>Code is the source of truth: two starts of a host on one SQLite job store, with the code changed between them.</summary>
public sealed class ReconcileTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 5, 10, 0, 30, TimeSpan.Zero);

    [Test]
    public async Task ChangingACron_ReplacesItsTrigger_AndRemovingADeployment_DeletesIt()
    {
        using var home = TempFolder.Create();
        var time = new FakeTimeProvider(Start);
        await (await OrchestrationHost.StartAsync(home.Path, time, o => o
            .Deploy("changes", "orch-record", d => d.Cron("0 * * * *"))
            .Deploy("removed", "orch-record", d => d.Cron("30 * * * *")))).DisposeAsync();

        time.Advance(TimeSpan.FromSeconds(10));
        await using var host = await OrchestrationHost.StartAsync(home.Path, time, o => o.Deploy("changes", "orch-record", d => d.Cron("15 * * * *")));

        var deployments = await host.Deployments.ListAsync();
        Assert.Multiple(() =>
        {
            Assert.That(deployments.Select(d => d.Name), Is.EqualTo(new[] { "changes" }));
            Assert.That(deployments[0].Schedules, Is.EqualTo(new[] { "cron '15 * * * *' in UTC" }));
            Assert.That(deployments[0].NextFireTime, Is.EqualTo(new DateTimeOffset(2026, 1, 5, 10, 15, 0, TimeSpan.Zero)));
            Assert.That(QuartzTables.Rows(home.File("quartz.db"), "triggers"), Has.Count.EqualTo(1).And.All.Contains("TRIGGER_NAME=changes#0"));
            Assert.That(QuartzTables.Rows(home.File("quartz.db"), "job_details"), Has.Count.EqualTo(1));
            Assert.That(host.Events.Select(l => l.EventId), Does.Contain(OrchestrationEventIds.DeploymentUpdated).And.Contain(OrchestrationEventIds.DeploymentDeleted));
            Assert.That(host.Events.Single(l => l.EventId == OrchestrationEventIds.DeploymentsReconciled).Message,
                Does.Contain("0 created, 1 updated, 1 deleted, 0 unchanged"));
        });
    }

    [Test]
    public async Task AnUnchangedDeployment_IsNotWrittenAgain()
    {
        using var home = TempFolder.Create();
        var time = new FakeTimeProvider(Start);
        void Declare(OrchestrationOptions o) => o.Deploy("steady", "orch-record", d => d.Cron("0 * * * *").Parameters(new { label = "steady" }));
        await (await OrchestrationHost.StartAsync(home.Path, time, Declare)).DisposeAsync();
        var triggers = QuartzTables.Rows(home.File("quartz.db"), "triggers");
        var crons = QuartzTables.Rows(home.File("quartz.db"), "cron_triggers");
        var jobs = QuartzTables.Rows(home.File("quartz.db"), "job_details");

        // Later, but before the next slot: a rewritten trigger would start from the new "now".
        time.Advance(TimeSpan.FromSeconds(10));
        await using var host = await OrchestrationHost.StartAsync(home.Path, time, Declare);

        Assert.Multiple(() =>
        {
            Assert.That(QuartzTables.Rows(home.File("quartz.db"), "triggers"), Is.EqualTo(triggers));
            Assert.That(QuartzTables.Rows(home.File("quartz.db"), "cron_triggers"), Is.EqualTo(crons));
            Assert.That(QuartzTables.Rows(home.File("quartz.db"), "job_details"), Is.EqualTo(jobs));
            Assert.That(host.Events.Single(l => l.EventId == OrchestrationEventIds.DeploymentsReconciled).Message,
                Does.Contain("0 created, 0 updated, 0 deleted, 1 unchanged"));
        });
    }

    [Test]
    public async Task ADeploymentChangedByTheDeployThatKeptItDown_StillCatchesUpTheSlotItMissed()
    {
        using var home = TempFolder.Create();
        var time = new FakeTimeProvider(Start);
        await (await OrchestrationHost.StartAsync(home.Path, time, o => o.Deploy("nightly", "orch-record", d => d.Cron("0 11 * * *").Parameters(new { label = "v1" })))).DisposeAsync();

        // Down from 10:00:30 to 11:05: the release that comes up changed the parameters, and 11:00 is missed.
        time.SetUtcNow(new DateTimeOffset(2026, 1, 5, 11, 5, 0, TimeSpan.Zero));
        await using var host = await OrchestrationHost.StartAsync(home.Path, time, o => o.Deploy("nightly", "orch-record", d => d.Cron("0 11 * * *").Parameters(new { label = "v2" })));

        var runs = await host.EndedRunsAsync("nightly", 1);
        Assert.Multiple(async () =>
        {
            Assert.That(runs.Select(r => r.ScheduledFor), Is.EqualTo(new DateTimeOffset?[] { new DateTimeOffset(2026, 1, 5, 11, 0, 0, TimeSpan.Zero) }));
            Assert.That((await host.Deployments.ListAsync()).Single().NextFireTime, Is.EqualTo(new DateTimeOffset(2026, 1, 6, 11, 0, 0, TimeSpan.Zero)));
        });
    }
}

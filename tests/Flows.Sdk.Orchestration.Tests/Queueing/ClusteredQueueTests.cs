using Flows.Orchestration.Tests.Fixtures;
using Flows.Orchestration.Tests.Support;
using Flows.Runs;
using Flows.Stores;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Flows.Orchestration.Tests.Queueing;

/// <summary>Replicas sharing a PostgreSQL run store and job store: one notion of a live node, cancellation from another process.</summary>
public sealed class ClusteredQueueTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 5, 10, 0, 30, TimeSpan.Zero);

    private static Task InSchemaAsync(Func<Dictionary<string, string?>, Task> test) => PostgreSqlSchema.RunAsync("orch_cq_", test);

    private static Task<OrchestrationHost> HostAsync(TempFolder home, Dictionary<string, string?> settings, bool works = true) =>
        OrchestrationHost.StartAsync(home.Path, new FakeTimeProvider(Start), _ => { },
            new Dictionary<string, string?>(settings) { ["Flows:Orchestration:Works"] = works ? "true" : "false" },
            services => services.AddFlowsPostgreSqlStore());

    [Test]
    public Task TheQuartzNode_IsTheRunStoresOwner_AndChecksInAsOftenAsItBeats() => InSchemaAsync(async settings =>
    {
        using var home = TempFolder.Create();
        settings["Flows:Store:HeartbeatInterval"] = "00:00:04";
        settings["Flows:Store:HeartbeatTimeout"] = "00:00:09";
        await using var host = await HostAsync(home, settings);
        var owners = (IRunOwners)host.Engine.Store;
        var schema = settings["Flows:Store:Schema"];

        var row = await TestPostgres.ScalarAsync(TestServices.Postgres, $"SELECT instance_name || ' ' || checkin_interval FROM \"{schema}\".qrtz_scheduler_state");
        var followed = host.Events.Single(e => e.EventId == Logging.OrchestrationEventIds.QuartzFollowsRunStore);

        Assert.Multiple(() =>
        {
            Assert.That(owners.HeartbeatInterval, Is.EqualTo(TimeSpan.FromSeconds(4)), "the store's own setting");
            Assert.That(row, Is.EqualTo($"{owners.OwnerId:D} 4000"));
            Assert.That(followed.Message, Does.Contain("a node silent for 00:00:09 (the store's heartbeat timeout) is recovered"), "check-in interval plus misfire threshold");
        });
    });

    [Test]
    public Task AQueuedRunCompletes_AndItsOneShotJobIsGone() => InSchemaAsync(async settings =>
    {
        using var home = TempFolder.Create();
        await using var host = await HostAsync(home, settings);

        var runId = await host.Client.EnqueueAsync("orch-record", new { label = "queued-on-postgres" }, queue: "pg");
        var run = await Eventually.Within(host.Client.WaitAsync(runId));
        // The job goes once its firing has returned, just after the run ended.
        await Eventually.UntilAsync(
            async () => Convert.ToInt64(await TestPostgres.ScalarAsync(TestServices.Postgres, $"SELECT count(*) FROM \"{settings["Flows:Store:Schema"]}\".qrtz_job_details WHERE job_group = 'flows-queued'"), System.Globalization.CultureInfo.InvariantCulture) == 0,
            "the one-shot job to go once it ran");

        Assert.Multiple(() =>
        {
            Assert.That(run.State, Is.EqualTo(RunState.Completed));
            Assert.That(run.Tags, Does.Contain("queue:pg"));
        });
    });

    [Test]
    public Task ARunInProgressOnAnotherReplica_IsCancelledFromAProcessThatRunsNothing() => InSchemaAsync(async settings =>
    {
        using var home = TempFolder.Create();
        await using var worker = await HostAsync(home, settings);
        await using var client = await HostAsync(home, settings, works: false);

        var runId = await client.Client.EnqueueAsync("orch-block", new { label = "cancel-from-afar" });
        await worker.AdvanceUntilAsync(() => Task.FromResult(Scheduled.Started.Contains("cancel-from-afar")), "the worker to start the run");
        var asked = DateTimeOffset.UtcNow;
        var cancelled = await client.Client.CancelAsync(runId);
        // Neither clock moves: Quartz's own interrupt waits for the worker's next check-in; the signal does not.
        var run = await Eventually.Within(client.Client.WaitAsync(runId));
        var took = DateTimeOffset.UtcNow - asked;

        Assert.Multiple(() =>
        {
            Assert.That(cancelled, Is.True, "its firing was found on the other replica");
            Assert.That(run.State, Is.EqualTo(RunState.Cancelled));
            Assert.That(took, Is.LessThan(TimeSpan.FromSeconds(2)));
        });
    });
}

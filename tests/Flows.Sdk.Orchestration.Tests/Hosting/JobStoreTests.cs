using Flows.Orchestration.Tests.Support;
using Flows.Runs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Flows.Orchestration.Tests.Hosting;

/// <summary>Which job store orchestration follows, and deployments other than a literal cron.</summary>
public sealed class JobStoreTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 5, 10, 0, 30, TimeSpan.Zero);

    [Test]
    public async Task WithAPostgreSqlRunStore_TheJobStoreIsTheSameDatabase_Clustered()
    {
        var schema = TestPostgres.NewSchemaName("orch_");
        var connection = $"{TestServices.Postgres};Search Path={schema}";
        await TestPostgres.ExecuteAsync(TestServices.Postgres, $"CREATE SCHEMA \"{schema}\"");
        try
        {
            using var home = TempFolder.Create();
            var settings = new Dictionary<string, string?> { ["Flows:Store:ConnectionString"] = connection, ["Flows:Store:Schema"] = schema };
            await using var host = await OrchestrationHost.StartAsync(home.Path, new FakeTimeProvider(Start), o =>
                o.Deploy("on-postgres", "orch-record", d => d.Cron("* * * * *").Parameters(new { label = "on-postgres" })),
                settings, services => services.AddFlowsPostgreSqlStore());

            var slot = new DateTimeOffset(2026, 1, 5, 10, 1, 0, TimeSpan.Zero);
            await host.JumpToAsync(slot.AddMilliseconds(200), async () => (await host.RunsOfAsync("on-postgres")).Any(r => r.State == RunState.Completed), "the slot's run");

            Assert.Multiple(async () =>
            {
                Assert.That(await TestPostgres.ScalarAsync(TestServices.Postgres, $"SELECT count(*) FROM \"{schema}\".qrtz_triggers"), Is.EqualTo(1));
                Assert.That(await TestPostgres.ScalarAsync(TestServices.Postgres, $"SELECT count(*) FROM \"{schema}\".qrtz_scheduler_state"), Is.EqualTo(1), "a clustered node checks in");
                Assert.That(File.Exists(home.File("quartz.db")), Is.False);
            });
        }
        finally
        {
            await TestPostgres.DropSchemaAsync(TestServices.Postgres, schema);
        }
    }

    [Test]
    public async Task AnIntervalDeployment_FiresOnItsAnchorsGrid()
    {
        using var home = TempFolder.Create();
        await using var host = await OrchestrationHost.StartAsync(home.Path, new FakeTimeProvider(Start), o =>
            o.Deploy("every-5", "orch-record", d => d.Interval(TimeSpan.FromMinutes(5)).Parameters(new { label = "every-5" })));

        var slot = new DateTimeOffset(2026, 1, 5, 10, 5, 0, TimeSpan.Zero);
        await host.JumpToAsync(slot.AddMilliseconds(200), async () => (await host.RunsOfAsync("every-5")).Count == 1, "the 10:05 slot");
        await host.JumpToAsync(slot.AddMinutes(5).AddMilliseconds(200), async () => (await host.RunsOfAsync("every-5")).Count == 2, "the 10:10 slot");

        Assert.That((await host.RunsOfAsync("every-5")).Select(r => r.ScheduledFor), Is.EqualTo(new DateTimeOffset?[] { slot, slot.AddMinutes(5) }));
    }

    [Test]
    public async Task AFlowWithASchedule_IsADeploymentNamedAfterIt()
    {
        using var home = TempFolder.Create();
        await using var host = await OrchestrationHost.StartAsync(home.Path, new FakeTimeProvider(Start), o => o.DeployFlowSchedules = true);

        var deployment = (await host.Deployments.ListAsync()).Single(d => d.Name == "orch-attribute");

        Assert.Multiple(() =>
        {
            Assert.That(deployment.Flow, Is.EqualTo("orch-attribute"));
            Assert.That(deployment.Schedules, Is.EqualTo(new[] { "cron '0 6 * * *' in America/New_York" }));
            Assert.That(deployment.NextFireTime, Is.EqualTo(new DateTimeOffset(2026, 1, 5, 11, 0, 0, TimeSpan.Zero)), "06:00 in New York in January is 11:00 UTC");
            Assert.That(deployment.CatchUp, Is.EqualTo(CatchUp.Latest));
        });
    }
}

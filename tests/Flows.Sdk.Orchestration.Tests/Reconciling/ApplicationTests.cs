using Flows.Orchestration.Logging;
using Flows.Orchestration.Tests.Support;
using Flows.Runs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Flows.Orchestration.Tests.Reconciling;

/// <summary>Applications sharing one job store (one FLOWS_HOME, one PostgreSQL database) own their deployments alone.</summary>
public sealed class ApplicationTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 5, 10, 0, 30, TimeSpan.Zero);

    private static readonly DateTimeOffset Eleven = new(2026, 1, 5, 11, 0, 0, TimeSpan.Zero);

    private static Dictionary<string, string?> App(string name, Dictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>(more ?? []) { ["Flows:Orchestration:Application"] = name };
        return settings;
    }

    private static void Hourly(OrchestrationOptions o, string name) => o.Deploy(name, "orch-record", d => d.Cron("0 * * * *").Parameters(new { label = name }));

    [Test]
    public async Task TwoApplicationsOnOneSqliteHome_KeepAndFireOnlyTheirOwnDeployments()
    {
        using var home = TempFolder.Create();
        var time = new FakeTimeProvider(Start);
        await using var a = await OrchestrationHost.StartAsync(home.Path, time, o => Hourly(o, "a-hourly"), App("app-a"));
        await using var b = await OrchestrationHost.StartAsync(home.Path, time, o => Hourly(o, "b-hourly"), App("app-b"));

        await a.JumpToAsync(Eleven.AddMilliseconds(200), async () =>
            (await a.RunsOfAsync("a-hourly")).Count(r => r.State.IsFinal()) == 1 && (await b.RunsOfAsync("b-hourly")).Count(r => r.State.IsFinal()) == 1, "each application's 11:00 slot");

        Assert.Multiple(async () =>
        {
            Assert.That((await a.Deployments.ListAsync()).Select(d => d.Name), Is.EqualTo(new[] { "a-hourly" }));
            Assert.That((await b.Deployments.ListAsync()).Select(d => d.Name), Is.EqualTo(new[] { "b-hourly" }));
            Assert.That(b.Log.Lines.Single(l => l.Category == OrchestrationLog.Category && l.EventId == OrchestrationEventIds.DeploymentsReconciled).Message,
                Does.Contain("1 created, 0 updated, 0 deleted"));
            Assert.That(QuartzTables.Rows(home.File("quartz.db"), "job_details"), Has.Count.EqualTo(2));
        });
    }

    [Test]
    public async Task AProcessThatDoesNotSchedule_LeavesTheStoredDeploymentsAlone()
    {
        using var home = TempFolder.Create();
        var time = new FakeTimeProvider(Start);
        await (await OrchestrationHost.StartAsync(home.Path, time, o => Hourly(o, "nightly"))).DisposeAsync();
        var jobs = QuartzTables.Rows(home.File("quartz.db"), "job_details");

        // A command line of another build of the same application, declaring something else.
        await using var tool = await OrchestrationHost.StartAsync(home.Path, time, o => Hourly(o, "other"),
            new Dictionary<string, string?> { ["Flows:Orchestration:Schedules"] = "false" });

        Assert.Multiple(async () =>
        {
            Assert.That((await tool.Deployments.ListAsync()).Select(d => d.Name), Is.EqualTo(new[] { "nightly" }));
            Assert.That(QuartzTables.Rows(home.File("quartz.db"), "job_details"), Is.EqualTo(jobs));
        });
    }

    [Test]
    public async Task TwoApplicationsOnOnePostgreSqlRunStoreConfiguredInCode_KeepTheirDeploymentsInItsSchema()
    {
        var schema = TestPostgres.NewSchemaName("orch_app_");
        await TestPostgres.ExecuteAsync(TestServices.Postgres, $"CREATE SCHEMA \"{schema}\"");
        try
        {
            using var home = TempFolder.Create();
            var time = new FakeTimeProvider(Start);
            // No Flows:Store settings and no search path: the job store follows the store object the code built.
            void Store(IServiceCollection services) => services.AddFlowsPostgreSqlStore(s =>
            {
                s.ConnectionString = TestServices.Postgres;
                s.Schema = schema;
            });
            await using var a = await OrchestrationHost.StartAsync(home.Path, time, o => Hourly(o, "a-hourly"), App("app-a"), Store);
            await using var b = await OrchestrationHost.StartAsync(home.Path, time, o => Hourly(o, "b-hourly"), App("app-b"), Store);

            await a.JumpToAsync(Eleven.AddMilliseconds(200), async () =>
                (await a.RunsOfAsync("a-hourly")).Count(r => r.State.IsFinal()) == 1 && (await a.RunsOfAsync("b-hourly")).Count(r => r.State.IsFinal()) == 1, "each application's 11:00 slot");

            Assert.Multiple(async () =>
            {
                Assert.That((await a.Deployments.ListAsync()).Select(d => d.Name), Is.EqualTo(new[] { "a-hourly" }));
                Assert.That((await b.Deployments.ListAsync()).Select(d => d.Name), Is.EqualTo(new[] { "b-hourly" }));
                Assert.That(await TestPostgres.ScalarAsync(TestServices.Postgres, $"SELECT count(*) FROM \"{schema}\".qrtz_job_details"), Is.EqualTo(2));
                Assert.That(await TestPostgres.ScalarAsync(TestServices.Postgres, $"SELECT count(DISTINCT sched_name) FROM \"{schema}\".qrtz_job_details"), Is.EqualTo(2));
            });
        }
        finally
        {
            await TestPostgres.DropSchemaAsync(TestServices.Postgres, schema);
        }
    }
}

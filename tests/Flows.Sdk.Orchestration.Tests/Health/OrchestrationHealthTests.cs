using Flows.Orchestration.Hosting;
using Flows.Orchestration.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;
using Quartz;

namespace Flows.Orchestration.Tests.Health;

/// <summary>What <c>AddFlowsOrchestration</c> reports to the platform's probes, on the test PostgreSQL.</summary>
public sealed class OrchestrationHealthTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 5, 10, 0, 30, TimeSpan.Zero);

    [Test]
    public async Task ARunningReplica_IsHealthy_AndUnhealthyOnceStopping()
    {
        await OnASchemaAsync(async settings =>
        {
            using var home = TempFolder.Create();
            await using var host = await OrchestrationHost.StartAsync(home.Path, new FakeTimeProvider(Start), _ => { }, settings, OnPostgreSqlWithHealth);

            var running = await CheckAsync(host);
            await host.Host.StopAsync().WaitAsync(Eventually.Limit);
            var stopped = await CheckAsync(host);

            Assert.Multiple(() =>
            {
                Assert.That(running.Status, Is.EqualTo(HealthStatus.Healthy), running.Description);
                Assert.That(stopped.Status, Is.EqualTo(HealthStatus.Unhealthy));
                Assert.That(stopped.Description, Does.Contain("not running"));
            });
        });
    }

    [Test]
    public async Task WorkOverdueInAQueue_IsDegraded_NamingTheQueue()
    {
        await OnASchemaAsync(async settings =>
        {
            using var home = TempFolder.Create();
            settings["Flows:Orchestration:Works"] = "false";
            await using var host = await OrchestrationHost.StartAsync(home.Path, new FakeTimeProvider(Start), _ => { }, settings, OnPostgreSqlWithHealth);
            var scheduler = await host.Host.Services.GetRequiredService<OrchestrationScheduler>().GetAsync(CancellationToken.None);
            await scheduler.ScheduleJob(
                JobBuilder.Create<NothingJob>().WithIdentity("stuck").Build(),
                TriggerBuilder.Create().WithIdentity("stuck").StartAt(Start.AddMinutes(-10)).WithExecutionGroup("reports").Build());

            var report = await CheckAsync(host);

            Assert.Multiple(() =>
            {
                Assert.That(report.Status, Is.EqualTo(HealthStatus.Degraded));
                Assert.That(report.Description, Does.Contain("reports (1"));
            });
        });
    }

    [Test]
    public async Task AJobStoreThatDoesNotAnswer_IsUnhealthy_WithoutItsPassword()
    {
        const string Password = "sentinel-password-77ab";
        using var home = TempFolder.Create();
        var settings = new Dictionary<string, string?>
        {
            ["Flows:Orchestration:JobStore:Provider"] = "PostgreSql",
            ["Flows:Orchestration:JobStore:ConnectionString"] = $"Host=127.0.0.1;Port=1;Username=flows;Password={Password};Timeout=2",
        };
        await using var host = OrchestrationHost.Create(home.Path, new FakeTimeProvider(Start), _ => { }, settings, WithHealth);

        var report = await CheckAsync(host);

        Assert.Multiple(() =>
        {
            Assert.That(report.Status, Is.EqualTo(HealthStatus.Unhealthy));
            Assert.That(report.Description, Does.Contain("job store does not answer"));
            Assert.That(report.Description + report.Exception, Does.Not.Contain(Password));
        });
    }

    private static void WithHealth(IServiceCollection services) => services.AddHealthChecks().AddFlowsOrchestration();

    private static void OnPostgreSqlWithHealth(IServiceCollection services) => WithHealth(services.AddFlowsPostgreSqlStore());

    private static async Task<HealthReportEntry> CheckAsync(OrchestrationHost host)
    {
        var report = await host.Host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync().WaitAsync(Eventually.Limit);
        return report.Entries["flows-orchestration"];
    }

    private static Task OnASchemaAsync(Func<Dictionary<string, string?>, Task> test) => PostgreSqlSchema.RunAsync("health_", test);

    private sealed class NothingJob : IJob
    {
        public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}

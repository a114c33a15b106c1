using Flows.Orchestration.Hosting;
using Flows.Stores;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Flows.Orchestration.Tests.Hosting;

public sealed class AddOrchestrationTests
{
    private static ServiceProvider Services(Dictionary<string, string?> settings, Action<OrchestrationOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddFlows().AddOrchestration(configure);
        return services.BuildServiceProvider();
    }

    [Test]
    public void WithoutAddFlows_ItSaysToCallAddFlowsFirst()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddOrchestration());

        Assert.That(error!.Message, Does.Contain("call services.AddFlows() before it"));
    }

    [Test]
    public void Options_AreBoundFromFlowsOrchestration_ThenCode_AndTheHostsShutdownTimeoutCoversTheGrace()
    {
        using var services = Services(new()
        {
            ["Flows:Orchestration:ShutdownGrace"] = "00:02:00",
            ["Flows:Orchestration:LateAfter"] = "00:00:20",
            ["Flows:Orchestration:Schedules"] = "false",
            ["Flows:Orchestration:JobStore:Provider"] = "PostgreSql",
            ["Flows:Orchestration:JobStore:TablePrefix"] = "flows_qrtz_",
        }, o => o.LateAfter = TimeSpan.FromSeconds(45));

        var options = services.GetRequiredService<IOptions<OrchestrationOptions>>().Value;
        Assert.Multiple(() =>
        {
            Assert.That(options.ShutdownGrace, Is.EqualTo(TimeSpan.FromMinutes(2)));
            Assert.That(options.LateAfter, Is.EqualTo(TimeSpan.FromSeconds(45)), "code runs after configuration");
            Assert.That(options.Schedules, Is.False);
            Assert.That(options.JobStore.Provider, Is.EqualTo(JobStoreProvider.PostgreSql));
            Assert.That(options.JobStore.TablePrefix, Is.EqualTo("flows_qrtz_"));
            Assert.That(services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout, Is.EqualTo(TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(15)));
            Assert.That(services.GetRequiredService<IDeployments>(), Is.Not.Null);
        });
    }

    [Test]
    public void BadOptions_FailWithEveryKeyNamed()
    {
        using var services = Services(new()
        {
            ["Flows:Orchestration:ShutdownGrace"] = "-00:00:01",
            ["Flows:Orchestration:MisfireThreshold"] = "00:00:00",
            ["Flows:Orchestration:MaxConcurrentRuns"] = "0",
            ["Flows:Orchestration:SchedulerName"] = " ",
            ["Flows:Orchestration:JobStore:TablePrefix"] = "qrtz; drop",
        });

        var error = Assert.Throws<OptionsValidationException>(() => _ = services.GetRequiredService<IOptions<OrchestrationOptions>>().Value);

        Assert.That(error!.Failures, Is.EqualTo(new[]
        {
            "Flows:Orchestration:ShutdownGrace: a time between 0 and 1.00:00:00 was expected; it is -00:00:01",
            "Flows:Orchestration:MisfireThreshold: a time more than 0 and at most 1.00:00:00 was expected; it is 00:00:00",
            "Flows:Orchestration:MaxConcurrentRuns: at least 1 was expected; it is 0",
            "Flows:Orchestration:SchedulerName: a non-empty name of at most 120 characters (or no setting, for the application's name) was expected; it is ' '",
            "Flows:Orchestration:JobStore:TablePrefix: letters, digits and underscores (such as qrtz_) was expected; it is 'qrtz; drop'",
        }));
    }

    [Test]
    public async Task AJobStorePathInAFolderThatDoesNotExistYet_IsCreated()
    {
        using var home = TempFolder.Create();
        var path = Path.Combine(home.Path, "not", "yet", "jobs.db");
        await using var host = await Support.OrchestrationHost.StartAsync(home.Path, new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 10, 0, 30, TimeSpan.Zero)),
            o => o.Deploy("somewhere", "orch-record", d => d.Cron("0 * * * *")), new Dictionary<string, string?> { ["Flows:Orchestration:JobStore:Path"] = path });

        Assert.That(File.Exists(path), Is.True);
    }

    [Test]
    public void TheJobStore_FollowsTheRunStore()
    {
        var options = new OrchestrationOptions();
        using var home = TempFolder.Create();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Flows:Store:ConnectionString"] = "Host=db;Password=not-logged" }).Build();

        Assert.Multiple(() =>
        {
            Assert.That(OrchestrationScheduler.ResolveJobStore(options, new Stores.Sqlite.SqliteRunStore(home.File("flows.db")), null),
                Is.EqualTo((JobStoreProvider.Sqlite, (string?)$"Data Source={home.File("quartz.db")}")));
            Assert.That(OrchestrationScheduler.ResolveJobStore(options, new InMemoryRunStore(), null), Is.EqualTo((JobStoreProvider.Memory, (string?)null)));
            Assert.That(OrchestrationScheduler.ResolveJobStore(options, new ElsewhereStore(), configuration), Is.EqualTo((JobStoreProvider.PostgreSql, (string?)"Host=db;Password=not-logged")));
            Assert.That(() => OrchestrationScheduler.ResolveJobStore(options, new ElsewhereStore(), null),
                Throws.InvalidOperationException.With.Message.Contains("set Flows:Orchestration:JobStore:Provider"));
        });
    }

    /// <summary>A run store orchestration knows nothing about (a PostgreSQL store, or a third party's).</summary>
    private sealed class ElsewhereStore : IRunStore
    {
        private readonly InMemoryRunStore _inner = new();

        public ValueTask WriteAsync(RunWriteBatch batch, CancellationToken cancellationToken = default) => _inner.WriteAsync(batch, cancellationToken);

        public ValueTask<Runs.RunRecord?> GetRunAsync(Guid runId, CancellationToken cancellationToken = default) => _inner.GetRunAsync(runId, cancellationToken);

        public ValueTask<IReadOnlyList<Runs.RunRecord>> QueryRunsAsync(RunQuery query, CancellationToken cancellationToken = default) => _inner.QueryRunsAsync(query, cancellationToken);

        public ValueTask<IReadOnlyList<Runs.StateTransition>> GetTransitionsAsync(Guid runId, CancellationToken cancellationToken = default) => _inner.GetTransitionsAsync(runId, cancellationToken);

        public ValueTask<IReadOnlyList<Runs.RunLogEntry>> GetLogsAsync(Guid runId, CancellationToken cancellationToken = default) => _inner.GetLogsAsync(runId, cancellationToken);

        public ValueTask<IReadOnlyList<Runs.RunArtifact>> GetArtifactsAsync(Guid runId, CancellationToken cancellationToken = default) => _inner.GetArtifactsAsync(runId, cancellationToken);

        public ValueTask<CacheEntry?> GetCacheEntryAsync(string key, CancellationToken cancellationToken = default) => _inner.GetCacheEntryAsync(key, cancellationToken);
    }
}

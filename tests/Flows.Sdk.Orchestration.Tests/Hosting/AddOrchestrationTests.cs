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

using Flows.Stores;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Flows.Stores.Tests;

/// <summary>Hosts record to the configured store, open it on start and write everything out on stop.</summary>
[NonParallelizable] // a running host sets the process-wide FlowEngine.Default
public sealed class HostingTests
{
    [Test]
    public async Task AHost_RecordsToTheSqliteFileConfiguration_Names_AndTheNextHostSeesTheRun()
    {
        using var folder = TestStores.NewFolder();
        var path = folder.File("history.db");

        await RunHostAsync(b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Flows:Store:Path"] = path }));
        var runs = await RunHostAsync(b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Flows:Store:Path"] = path }));

        Assert.That(runs.Select(r => (r.Name, r.State)), Is.EqualTo(new[] { ("store-sync", RunState.Completed), ("store-sync", RunState.Completed) }));
        Assert.That(File.Exists(path));
    }

    [Test]
    public async Task AHost_RecordsToPostgreSql_WhenItsStoreIsAdded()
    {
        var schema = TestStores.NewSchema();
        try
        {
            var runs = await RunHostAsync(b =>
            {
                b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["ConnectionStrings:Flows"] = TestStores.PostgresConnectionString,
                    ["Flows:Store:Schema"] = schema,
                });
                b.Services.AddFlowsPostgreSqlStore();
            });

            Assert.That(runs.Single().State, Is.EqualTo(RunState.Completed));
        }
        finally
        {
            await TestStores.DropSchemaAsync(schema);
        }
    }

    /// <summary>Starts a host, runs the sync flow through <see cref="FlowEngine.Default"/>, stops it, and reads the store back.</summary>
    private static async Task<IReadOnlyList<RunRecord>> RunHostAsync(Action<HostApplicationBuilder> configure)
    {
        var builder = Host.CreateApplicationBuilder();
        configure(builder);
        builder.Services.AddFlows();
        using var host = builder.Build();
        await host.StartAsync();
        await StoreJobs.Sync(["OH"]);
        await host.StopAsync();
        return await host.Services.GetRequiredService<FlowEngine>().Store.QueryRunsAsync(new RunQuery { Kind = RunKind.Flow });
    }
}

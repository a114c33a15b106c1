using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Flows.Runs;
using Flows.Secrets;
using Flows.Stores;
using Flows.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Flows.Stores.Tests.Hosting;

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
    public async Task AHost_MeasuresRunsOnTheMeterOfItsOwnMeterFactory()
    {
        using var folder = TestStores.NewFolder();
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Flows:Store:Path"] = folder.File("history.db") });
        builder.Services.AddFlows();
        using var host = builder.Build();
        var factory = host.Services.GetRequiredService<IMeterFactory>();
        var measured = new ConcurrentQueue<string>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, factory))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) =>
            measured.Enqueue($"{instrument.Name} {tags.ToArray().Single(t => t.Key == FlowsTelemetry.NameTag).Value}"));
        listener.Start();

        await host.StartAsync();
        await StoreJobs.Sync(["OH"]);
        await host.StopAsync();

        Assert.That(measured, Does.Contain($"{FlowsTelemetry.RunDuration} store-sync"));
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

    [Test]
    public async Task APostgreSqlPasswordSecret_IsResolvedThroughTheSecretProviders_AndReachesTheServer()
    {
        await using var role = await PasswordRole.CreateAsync("right-password-4f1c");
        var provider = new CountingSecretProvider(new Dictionary<string, string> { ["flows-db-password"] = "right-password-4f1c" });

        var runs = await RunHostAsync(b => UsePostgreSqlAs(b, role, provider));

        Assert.That(runs.Single().State, Is.EqualTo(RunState.Completed));
        Assert.That(provider.Asked, Does.Contain("flows-db-password"));
    }

    [Test]
    public async Task AWrongPostgreSqlPasswordSecret_FailsHostStart_WithoutShowingThePassword()
    {
        await using var role = await PasswordRole.CreateAsync("right-password-4f1c");
        var provider = new CountingSecretProvider(new Dictionary<string, string> { ["flows-db-password"] = "wrong-password-77e2" });

        var error = Assert.CatchAsync(() => RunHostAsync(b => UsePostgreSqlAs(b, role, provider)));

        Assert.That(error!.ToString(), Does.Contain($"refused the login of user '{role.Name}'").And.Not.Contain("wrong-password-77e2"));
    }

    [Test]
    public async Task AMissingPostgreSqlPasswordSecret_FailsHostStart_NamingTheSecret()
    {
        await using var role = await PasswordRole.CreateAsync("right-password-4f1c");
        var provider = new CountingSecretProvider([]);

        var error = Assert.CatchAsync(() => RunHostAsync(b => UsePostgreSqlAs(b, role, provider)));

        Assert.That(error!.ToString(), Does.Contain("flows-db-password").And.Contain("not found"));
    }

    private static void UsePostgreSqlAs(HostApplicationBuilder builder, PasswordRole role, Flows.Secrets.ISecretProvider provider)
    {
        var connection = new Npgsql.NpgsqlConnectionStringBuilder(TestStores.PostgresConnectionString) { Username = role.Name, Password = null };
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Flows"] = connection.ConnectionString,
            ["Flows:Store:Schema"] = role.Name,
            ["Flows:Store:PasswordSecret"] = "flows-db-password",
        });
        builder.Services.AddSingleton<Flows.Secrets.ISecretProvider>(provider);
        builder.Services.AddFlowsPostgreSqlStore();
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

    private sealed class CountingSecretProvider(Dictionary<string, string> values) : Flows.Secrets.ISecretProvider
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _asked = new();

        public IReadOnlyCollection<string> Asked => _asked;

        public string Describe(string name) => $"test values ({name})";

        public ValueTask<string?> GetAsync(string name, CancellationToken cancellationToken)
        {
            _asked.Enqueue(name);
            return new(values.GetValueOrDefault(name));
        }
    }

    /// <summary>
    /// A login role that must give its password: scripts/test.sh makes members of flows_password_required
    /// authenticate with scram-sha-256 while every other role is trusted on loopback.
    /// </summary>
    private sealed class PasswordRole : IAsyncDisposable
    {
        private PasswordRole(string name) => Name = name;

        public string Name { get; }

        public static async Task<PasswordRole> CreateAsync(string password)
        {
            var role = new PasswordRole(TestStores.NewSchema().Replace("flows_test_", "flows_pw_", StringComparison.Ordinal));
            await TestStores.ScalarAsync(
                "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'flows_password_required') THEN CREATE ROLE flows_password_required NOLOGIN; END IF; END $$;"
                + $"CREATE ROLE \"{role.Name}\" LOGIN PASSWORD '{password}' IN ROLE flows_password_required;"
                + $"GRANT CREATE ON DATABASE postgres TO \"{role.Name}\"; SELECT 1");
            return role;
        }

        public async ValueTask DisposeAsync()
        {
            await TestStores.DropSchemaAsync(Name);
            await TestStores.ScalarAsync($"DROP OWNED BY \"{Name}\"; DROP ROLE \"{Name}\"; SELECT 1");
        }
    }
}

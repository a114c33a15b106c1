using Flows.Orchestration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Flows.Dashboard.Tests.Support;

/// <summary>
/// Processes sharing one PostgreSQL run store, each in a schema of the test's own: the settings that point a
/// <see cref="DashboardApp"/> at it, and other nodes (a host with Flows and orchestration) started beside it.
/// Heartbeats time out after five minutes, so no node sweeps another away while a test looks at it.
/// </summary>
public sealed class PostgresNodes : IAsyncDisposable
{
    /// <summary>A password the connection string carries (the test server trusts every local connection, so it is never checked): no page may show it.</summary>
    public const string Password = "s3cret-pg-password-6f1c";

    private readonly List<IHost> _hosts = [];

    private PostgresNodes(string schema) => Schema = schema;

    public string Schema { get; }

    public string ConnectionString => TestServices.Postgres + ";Password=" + Password;

    /// <summary>The configuration of a node on this store.</summary>
    public Dictionary<string, string?> Settings => new()
    {
        ["Flows:Store:ConnectionString"] = ConnectionString,
        ["Flows:Store:Schema"] = Schema,
        ["Flows:Store:HeartbeatInterval"] = "00:00:02",
        ["Flows:Store:HeartbeatTimeout"] = "00:05:00",
    };

    public static PostgresNodes Create() => new(TestPostgres.NewSchemaName("flows_dash_"));

    /// <summary>Starts another node: a host with Flows on this store and orchestration as <paramref name="configure"/> says.</summary>
    public async Task<IHost> StartNodeAsync(Action<OrchestrationOptions> configure)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(Settings);
        builder.Logging.ClearProviders();
        builder.Services.AddFlows().AddFlowsPostgreSqlStore().AddOrchestration(o =>
        {
            o.DeployFlowSchedules = false;
            configure(o);
        });
        var host = builder.Build();
        _hosts.Add(host);
        await Eventually.Within(host.StartAsync());
        return host;
    }

    /// <summary>Registers an owner that stopped checking in <paramref name="silentFor"/> ago, as a process killed without unregistering leaves it.</summary>
    public Task AddLapsedOwnerAsync(Guid id, string machine, TimeSpan silentFor, string rolesJson) =>
        TestPostgres.ExecuteAsync(
            TestServices.Postgres,
            $"""
            INSERT INTO "{Schema}".flows_owners (id, machine, pid, process_started_at, started_at, heartbeat_at, roles)
            VALUES ('{id}', '{machine}', 4242, NULL, clock_timestamp() - interval '1 hour', clock_timestamp() - interval '{(int)silentFor.TotalSeconds} seconds', '{rolesJson}')
            """);

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.StopAsync();
            await host.Services.GetRequiredService<FlowEngine>().DisposeAsync();
            host.Dispose();
        }

        await TestPostgres.DropSchemaAsync(TestServices.Postgres, Schema);
    }
}

using Flows.Orchestration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Flows.Orchestration.Benchmarks;

/// <summary>A host as an application builds it: AddFlows().AddOrchestration(...) on a SQLite home or a PostgreSQL database.</summary>
internal static class BenchHost
{
    /// <summary>Builds a host on <paramref name="home"/> (SQLite) or, when <paramref name="postgres"/> is set, on that database.</summary>
    public static IHost Build(string home, string? postgres, Action<OrchestrationOptions> deployments)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var settings = new Dictionary<string, string?> { ["Flows:Home"] = home };
        if (postgres is not null)
        {
            settings["Flows:Store:ConnectionString"] = postgres;
        }

        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddFlows();
        if (postgres is not null)
        {
            builder.Services.AddFlowsPostgreSqlStore();
        }

        builder.Services.AddOrchestration(o =>
        {
            o.DeployFlowSchedules = false;
            deployments(o);
        });
        return builder.Build();
    }

    /// <summary>A fresh PostgreSQL database for one measurement, and the statement that drops it.</summary>
    public static async Task<(string ConnectionString, Func<Task> Drop)> NewDatabaseAsync(string server)
    {
        var name = "flows_bench_" + Guid.NewGuid().ToString("N")[..12];
        await ExecuteAsync(server, $"CREATE DATABASE {name}");
        var connection = new Npgsql.NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
        return (connection, async () =>
        {
            Npgsql.NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(server, $"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        });
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}

/// <summary>The flows the benchmarks deploy.</summary>
public static class BenchFlows
{
    [Flow("bench-noop")]
    public static void Noop()
    {
    }
}

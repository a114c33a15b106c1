using Flows.Stores.PostgreSql;
using Npgsql;

namespace Flows.Orchestration.Tests.Cluster;

/// <summary>A PostgreSQL database of one test's own on a server (the shared test server unless given), dropped afterwards.</summary>
internal sealed class ThrowAwayDatabase : IAsyncDisposable
{
    private readonly string _server;
    private readonly string _name;

    private ThrowAwayDatabase(string server, string name)
    {
        _server = server;
        _name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    public string ConnectionString { get; }

    public static async Task<ThrowAwayDatabase> CreateAsync(string? server = null)
    {
        server ??= TestServices.Postgres;
        var name = "flows_cluster_" + Guid.NewGuid().ToString("N")[..12];
        await TestPostgres.ExecuteAsync(server, $"CREATE DATABASE {name}");
        return new ThrowAwayDatabase(server, name);
    }

    /// <summary>A run store on this database (schema <c>flows</c>, the helpers' default) for the test to read what the processes wrote.</summary>
    public PostgreSqlRunStore OpenStore() => new(new PostgreSqlRunStoreOptions { ConnectionString = ConnectionString });

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await TestPostgres.ExecuteAsync(_server, $"DROP DATABASE IF EXISTS {_name} WITH (FORCE)");
    }
}

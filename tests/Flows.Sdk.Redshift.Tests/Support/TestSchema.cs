using Npgsql;

namespace Flows.Redshift.Tests.Support;

/// <summary>
/// A schema of its own for one test on the test PostgreSQL, first on the search path of every connection made
/// from <see cref="ConnectionString"/>, dropped with everything in it at the end.
/// </summary>
internal sealed class TestSchema : IAsyncDisposable
{
    private TestSchema(string server, string name)
    {
        Server = server;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { SearchPath = name, SslMode = SslMode.Disable }.ConnectionString;
    }

    /// <summary>The server's connection string, without the schema.</summary>
    public string Server { get; }

    public string Name { get; }

    /// <summary>Connections from this use the schema (and no SSL, which the test cluster does not offer).</summary>
    public string ConnectionString { get; }

    public static async Task<TestSchema> CreateAsync()
    {
        var server = TestServices.Postgres;
        var schema = new TestSchema(server, $"rs_{Guid.NewGuid():N}");
        await schema.ExecuteAsync($"CREATE SCHEMA {schema.Name}");
        return schema;
    }

    /// <summary>Options for a database that works in this schema, with retries that do not wait.</summary>
    public RedshiftOptions Options(Action<RedshiftOptions>? configure = null)
    {
        var options = new RedshiftOptions { ConnectionString = ConnectionString, TransactionRetryDelay = TimeSpan.Zero };
        configure?.Invoke(options);
        return options;
    }

    public Task ExecuteAsync(string sql) => TestPostgres.ExecuteAsync(ConnectionString, sql);

    public async Task<T?> ScalarAsync<T>(string sql) =>
        await TestPostgres.ScalarAsync(ConnectionString, sql) is { } value and not DBNull ? (T)value : default;

    public async Task<bool> TableExistsAsync(string table) =>
        await ScalarAsync<long>($"SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '{Name}' AND table_name = '{table.Replace("'", "''", StringComparison.Ordinal)}'") > 0;

    public async ValueTask DisposeAsync() =>
        await TestPostgres.DropSchemaAsync(new NpgsqlConnectionStringBuilder(Server) { SslMode = SslMode.Disable }.ConnectionString, Name);
}

using Flows.Runs;
using Flows.Stores;
using Flows.Stores.PostgreSql;
using Npgsql;

namespace Flows.Stores.Tests.Support;

/// <summary>Creates the stores the tests run against, each isolated, and removes what they leave behind.</summary>
internal static class TestStores
{
    /// <summary>The throw-away PostgreSQL that scripts/test.sh starts. Missing: a failure under CI, a skip elsewhere.</summary>
    public static string PostgresConnectionString =>
        Required("FLOWS_TEST_POSTGRES", "run scripts/test.sh, which starts a throw-away PostgreSQL.");

    /// <summary>The value of an environment variable scripts/test.sh exports. Missing: a failure under CI, a skip elsewhere.</summary>
    public static string Required(string variable, string whatToDo)
    {
        if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value)
        {
            return value;
        }

        var missing = $"{variable} is not set: {whatToDo}";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail(missing);
        }

        Assert.Ignore(missing);
        return string.Empty;
    }

    /// <summary>A schema name no other test uses.</summary>
    public static string NewSchema() => "flows_test_" + Guid.NewGuid().ToString("N")[..16];

    public static PostgreSqlRunStore Postgres(string schema, TimeProvider? time = null) => new(new PostgreSqlRunStoreOptions
    {
        ConnectionString = PostgresConnectionString,
        Schema = schema,
        TimeProvider = time ?? TimeProvider.System,
    });

    public static async Task DropSchemaAsync(string schema)
    {
        await using var connection = new NpgsqlConnection(PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE", connection);
        await command.ExecuteNonQueryAsync();
    }

    public static async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    /// <summary>A run as a process leaves it while it is still going.</summary>
    public static RunRecord RunningFlow(string name, DateTimeOffset createdAt) =>
        new() { Id = Guid.CreateVersion7(), Kind = RunKind.Flow, Name = name, State = RunState.Running, CreatedAt = createdAt };

    /// <summary>A folder for SQLite files, deleted by <see cref="TempFolder.Dispose"/>.</summary>
    public static TempFolder NewFolder() => new(Directory.CreateTempSubdirectory("flows-store-test-").FullName);
}

/// <summary>A temporary folder and everything in it.</summary>
internal sealed class TempFolder(string path) : IDisposable
{
    public string Path { get; } = path;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

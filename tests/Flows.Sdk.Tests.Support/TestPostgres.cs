using Npgsql;

namespace Flows.Tests.Support;

/// <summary>Statements against the test PostgreSQL, and schema names no other test uses, so tests running at once stay apart.</summary>
public static class TestPostgres
{
    /// <summary>A schema name no other test uses: <paramref name="prefix"/> and 16 random hex digits.</summary>
    public static string NewSchemaName(string prefix) => prefix + Guid.NewGuid().ToString("N")[..16];

    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    public static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync().ConfigureAwait(false);
    }

    /// <summary>Drops <paramref name="schema"/> with everything in it, if it is there.</summary>
    public static Task DropSchemaAsync(string connectionString, string schema) =>
        ExecuteAsync(connectionString, $"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
}

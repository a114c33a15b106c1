using Flows.Runs;
using Flows.Stores;
using Flows.Stores.PostgreSql;

namespace Flows.Stores.Tests.Support;

/// <summary>Creates the stores the tests run against, each isolated, and removes what they leave behind.</summary>
internal static class TestStores
{
    public static string PostgresConnectionString => TestServices.Postgres;

    /// <summary>A schema name no other test uses.</summary>
    public static string NewSchema() => TestPostgres.NewSchemaName("flows_test_");

    public static PostgreSqlRunStore Postgres(string schema, TimeProvider? time = null) => new(new PostgreSqlRunStoreOptions
    {
        ConnectionString = PostgresConnectionString,
        Schema = schema,
        TimeProvider = time ?? TimeProvider.System,
    });

    public static Task DropSchemaAsync(string schema) => TestPostgres.DropSchemaAsync(PostgresConnectionString, schema);

    public static Task<object?> ScalarAsync(string sql) => TestPostgres.ScalarAsync(PostgresConnectionString, sql);

    /// <summary>A run as a process leaves it while it is still going.</summary>
    public static RunRecord RunningFlow(string name, DateTimeOffset createdAt) =>
        new() { Id = Guid.CreateVersion7(), Kind = RunKind.Flow, Name = name, State = RunState.Running, CreatedAt = createdAt };

    /// <summary>A folder for SQLite files, deleted by <see cref="TempFolder.Dispose"/>.</summary>
    public static TempFolder NewFolder() => TempFolder.Create("flows-store-test-");
}

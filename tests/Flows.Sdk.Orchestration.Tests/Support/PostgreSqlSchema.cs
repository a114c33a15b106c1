namespace Flows.Orchestration.Tests.Support;

/// <summary>A schema of the test PostgreSQL of a test's own, for a PostgreSQL run store and the job store that follows it.</summary>
internal static class PostgreSqlSchema
{
    /// <summary>The longest a test in a schema may take: several of <see cref="Eventually.Limit"/>, its own waits, in a row.</summary>
    private static readonly TimeSpan Whole = TimeSpan.FromMinutes(3);

    /// <summary>
    /// Creates a schema named <paramref name="prefix"/> and random digits, runs <paramref name="test"/> with the settings
    /// of a run store in it (<c>Flows:Store:ConnectionString</c>, <c>Flows:Store:Schema</c>), then drops it.
    /// </summary>
    public static async Task RunAsync(string prefix, Func<Dictionary<string, string?>, Task> test)
    {
        var schema = TestPostgres.NewSchemaName(prefix);
        await TestPostgres.ExecuteAsync(TestServices.Postgres, $"CREATE SCHEMA \"{schema}\"").ConfigureAwait(false);
        try
        {
            // Bounded as a whole: a host on a stopped clock waits out a store error on that clock, so a wait the test
            // did not bound itself (a write-through, a disposal) would otherwise hang the run instead of failing here.
            await test(new Dictionary<string, string?> { ["Flows:Store:ConnectionString"] = $"{TestServices.Postgres};Search Path={schema}", ["Flows:Store:Schema"] = schema })
                .WaitAsync(Whole).ConfigureAwait(false);
        }
        finally
        {
            await TestPostgres.DropSchemaAsync(TestServices.Postgres, schema).ConfigureAwait(false);
        }
    }
}

namespace Flows.Redshift.Tests.Fixtures;

/// <summary>Tasks that use a database, so operations run inside real task runs (tags, logs, retries).</summary>
public sealed class RedshiftTasks(RedshiftDatabase database)
{
    [Task("rs-read-session-settings")]
    public async Task<SessionValues> ReadSessionSettings() =>
        (await database.QueryAsync<SessionValues>("SELECT current_setting('application_name') AS tag, current_setting('statement_timeout') AS timeout")).Single();

    [Task("rs-insert-through-conflicts", Retries = 2, RetryOn = [typeof(RedshiftTransientException)])]
    public Task<int> InsertThroughConflicts(int failures) =>
        database.InTransactionAsync(async (connection, transaction, ct) =>
        {
            await using var command = new Npgsql.NpgsqlCommand("INSERT INTO loaded VALUES (1); SELECT conflict_once(@failures)", connection, transaction);
            command.Parameters.AddWithValue("failures", failures);
            await command.ExecuteNonQueryAsync(ct);
            return 1;
        });

    [Task("rs-append-items", Retries = 2, RetryOn = [typeof(RedshiftTransientException)])]
    public Task<int> AppendItems(IReadOnlyList<Item> rows) => database.LoadAsync(rows, "items", new LoadOptions { ExistingRows = ExistingRows.Append });

    [Task("rs-run-refresh-script")]
    public Task<SqlFileResult> RunRefresh(string path, IReadOnlyDictionary<string, object?> parameters) => database.RunSqlFileAsync(path, parameters);
}

/// <summary>A row of the items table.</summary>
public sealed record Item(int Id, string Name);

/// <summary>Session settings as a query saw them.</summary>
public sealed record SessionValues(string Tag, string Timeout);

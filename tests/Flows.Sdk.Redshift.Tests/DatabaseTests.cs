using Flows.Redshift.Tests.Fixtures;
using Flows.Redshift.Tests.Support;
using Flows.Runs;
using Flows.Testing;
using Npgsql;

namespace Flows.Redshift.Tests;

/// <summary>Everything PostgreSQL can run, against the test cluster, each test in its own schema.</summary>
public sealed class DatabaseTests : SchemaTest
{
    private readonly List<string> _files = [];

    [TearDown]
    public void DeleteSqlFiles()
    {
        _files.ForEach(File.Delete);
        _files.Clear();
    }

    [Test]
    public async Task QueryAsync_MapsRowsToRecords_WithBoundParameters()
    {
        await using var database = new RedshiftDatabase(Schema.Options());
        await database.ExecuteAsync("CREATE TABLE people (id int, name varchar(50), joined date)");
        await database.ExecuteAsync("INSERT INTO people VALUES (1, 'Ada', '2024-01-02'), (2, 'Grace', '2024-02-03'), (3, 'Edsger', NULL)");

        var rows = await database.QueryAsync<Person>("SELECT id, name, joined FROM people WHERE id >= @from ORDER BY id", new { from = 2 });

        Assert.That(rows, Is.EqualTo(new[] { new Person(2, "Grace", new DateOnly(2024, 2, 3)), new Person(3, "Edsger", null) }));
    }

    [Test]
    public async Task ExecuteAsync_KeepsAHostileValueAsData()
    {
        await using var database = new RedshiftDatabase(Schema.Options());
        await database.ExecuteAsync("CREATE TABLE notes (body varchar(200))");

        var inserted = await database.ExecuteAsync("INSERT INTO notes VALUES (@body)", new { body = "x'); DROP TABLE notes; --" });

        Assert.That(inserted, Is.EqualTo(1));
        Assert.That(await Schema.ScalarAsync<string>("SELECT body FROM notes"), Is.EqualTo("x'); DROP TABLE notes; --"));
    }

    [Test]
    public async Task RunSqlFile_RunsEveryStatement_WithParametersQuoted()
    {
        await using var database = new RedshiftDatabase(Schema.Options());
        var path = await WriteSqlAsync("""
            -- refresh the daily table
            DROP TABLE IF EXISTS {{ target }};
            CREATE TABLE {{ target }} (day date, note varchar(100));
            INSERT INTO {{ target }} VALUES ({{ day }}, {{ note }}), ('{{ day }}'::date + 1, 'next: {{ note }}');
            """);

        var result = await database.RunSqlFileAsync(path, new Dictionary<string, object?>
        {
            ["target"] = new SqlIdentifier("daily; DROP SCHEMA x"),
            ["day"] = new DateOnly(2024, 5, 1),
            ["note"] = "it's; -- fine",
        });

        Assert.That(result, Is.EqualTo(new SqlFileResult(3, 2)));
        Assert.That(await Schema.ScalarAsync<string>("SELECT string_agg(day || '=' || note, ' | ' ORDER BY day) FROM \"daily; DROP SCHEMA x\""),
            Is.EqualTo("2024-05-01=it's; -- fine | 2024-05-02=next: it's; -- fine"));
    }

    [Test]
    public async Task RunSqlFile_AValueInAFunctionBody_StaysData_AndCannotRewriteTheFunction()
    {
        await using var database = new RedshiftDatabase(Schema.Options());
        var path = await WriteSqlAsync("""
            CREATE FUNCTION is_allowed(state text) RETURNS boolean LANGUAGE plpgsql AS $body$
            BEGIN
              RETURN state = '{{ allowed }}';
            END $body$;
            """);

        await database.RunSqlFileAsync(path, new Dictionary<string, object?> { ["allowed"] = "x' OR 'a'='a" });

        var answers = await database.QueryAsync<bool>("SELECT is_allowed(s) FROM unnest(ARRAY['OH', 'x'' OR ''a''=''a']) AS s");
        Assert.That(answers, Is.EqualTo(new[] { false, true }), "only the exact value is allowed");
        Assert.That(await Schema.ScalarAsync<string>("SELECT prosrc FROM pg_proc WHERE proname = 'is_allowed'"), Does.Contain("RETURN state = 'x'' OR ''a''=''a';"));
    }

    [Test]
    public async Task RunSqlFile_AValueAfterAnIdentifierWithDollars_StaysData()
    {
        await using var database = new RedshiftDatabase(Schema.Options());
        await database.ExecuteAsync("CREATE TABLE voters (id int)");
        await database.ExecuteAsync("INSERT INTO voters VALUES (1)");
        var path = await WriteSqlAsync("CREATE TABLE picked AS SELECT 1 AS x$$$, 'q$$' AS q, {{ k }} AS k -- '");

        await database.RunSqlFileAsync(path, new Dictionary<string, object?> { ["k"] = "'::text; DROP TABLE voters; --" });

        Assert.That(await database.QueryAsync<int>("SELECT id FROM voters"), Is.EqualTo(new[] { 1 }), "the table is still there");
        Assert.That(await Schema.ScalarAsync<string>("SELECT k FROM picked"), Is.EqualTo("'::text; DROP TABLE voters; --"));
    }

    [Test]
    public async Task RunSqlFile_AListExpandsToTheRowsItNames()
    {
        await using var database = new RedshiftDatabase(Schema.Options());
        await database.ExecuteAsync("CREATE TABLE voters (id int, state char(2))");
        await database.ExecuteAsync("INSERT INTO voters VALUES (1, 'OH'), (2, 'PA'), (3, 'MI')");
        var path = await WriteSqlAsync("DELETE FROM voters WHERE state IN ({{ states }});");

        var result = await database.RunSqlFileAsync(path, new Dictionary<string, object?> { ["states"] = new[] { "OH", "PA" } });

        Assert.That(result.RowsAffected, Is.EqualTo(2));
        Assert.That(await database.QueryAsync<int>("SELECT id FROM voters"), Is.EqualTo(new[] { 3 }));
    }

    [Test]
    public async Task RunSqlFile_RollsEveryStatementBack_WhenOneFails()
    {
        await using var database = new RedshiftDatabase(Schema.Options());
        var path = await WriteSqlAsync("CREATE TABLE first_step (id int);\nINSERT INTO first_step VALUES (1);\nSELECT * FROM no_such_table;");

        var error = Assert.ThrowsAsync<PostgresException>(() => database.RunSqlFileAsync(path));

        Assert.That(error!.SqlState, Is.EqualTo("42P01"));
        Assert.That(await Schema.TableExistsAsync("first_step"), Is.False);
    }

    [Test]
    public async Task RunSqlFile_WithItsOwnTransactions_RunsAsWritten()
    {
        await using var database = new RedshiftDatabase(Schema.Options());
        var path = await WriteSqlAsync("BEGIN;\nCREATE TABLE kept (id int);\nCOMMIT;\nSELECT * FROM no_such_table;");

        Assert.ThrowsAsync<PostgresException>(() => database.RunSqlFileAsync(path));

        Assert.That(await Schema.TableExistsAsync("kept"), Is.True);
    }

    [Test]
    public async Task RunSqlFile_MissingFile_NamesIt()
    {
        await using var database = new RedshiftDatabase(Schema.Options());
        var path = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.sql");

        var error = Assert.ThrowsAsync<RedshiftInputException>(() => database.RunSqlFileAsync(path));

        Assert.That(error!.Message, Is.EqualTo($"SQL file '{path}' does not exist. Nothing was run."));
    }

    [Test]
    public async Task RunSqlFile_UnknownPlaceholder_FailsBeforeAnyStatementRuns()
    {
        await using var database = new RedshiftDatabase(Schema.Options());
        var path = await WriteSqlAsync("CREATE TABLE created_first (id int);\nINSERT INTO created_first VALUES ({{ id }});");

        var error = Assert.ThrowsAsync<RedshiftInputException>(() => database.RunSqlFileAsync(path, new Dictionary<string, object?> { ["ids"] = 1 }));

        Assert.That(error!.Message, Does.Contain($"{Path.GetFileName(path)} uses {{{{ id }}}} (line 2)"));
        Assert.That(await Schema.TableExistsAsync("created_first"), Is.False);
    }

    [Test]
    public async Task RunSqlFile_InATask_LogsEachStatementWithTheRun()
    {
        await using var database = new RedshiftDatabase(Schema.Options());
        using var harness = new FlowTestHarness();
        var path = await WriteSqlAsync("CREATE TABLE t (id int);\nINSERT INTO t VALUES (1), (2);");

        await new RedshiftTasks(database).RunRefresh(path, new Dictionary<string, object?>());

        var lines = harness.Logs.Select(l => l.Message).Where(m => m.Contains(Path.GetFileName(path), StringComparison.Ordinal)).ToList();
        Assert.That(lines, Has.Count.EqualTo(2));
        Assert.That(lines[1], Does.Match(@": statement 2/2 \(line 2\) took \d+ ms, 2 rows: INSERT INTO t VALUES \(1\), \(2\)$"));
    }

    [Test]
    public async Task RunSqlFile_LogsAStatementCutOnlyAfterItsSecretsAreMasked()
    {
        const string Secret = "Hv2-sql-straddle-91c4e7";
        await using var database = new RedshiftDatabase(Schema.Options());
        using var harness = new FlowTestHarness(o => o.Secrets["rs-api-key"] = Secret);
        await harness.Engine.Secrets.GetAsync("rs-api-key");

        // In the logged summary the secret starts at character 72, so a cut at 77 characters would keep its first five.
        var path = await WriteSqlAsync("CREATE TABLE api_keys (k varchar(100));\nINSERT INTO api_keys VALUES ('" + new string('k', 36) + "' || {{ key }});");
        await new RedshiftTasks(database).RunRefresh(path, new Dictionary<string, object?> { ["key"] = Secret });

        var shown = harness.Logs.Select(l => l.Message + " " + string.Join(" ", l.Properties?.Values ?? [])).ToList();
        Assert.That(shown, Has.Some.Contains("INSERT INTO api_keys VALUES ('kkkk"), "the statement was logged");
        Assert.That(shown, Has.None.Contains(Secret[..5]));
    }

    [Test]
    public async Task SessionSettings_AreSetForTheRun_AndResetBeforeTheConnectionReturnsToThePool()
    {
        var options = Schema.Options(o =>
        {
            // One physical connection, so the next user gets exactly the connection the task used; and no
            // DISCARD ALL on return, which Npgsql sends to PostgreSQL but cannot send to Redshift.
            o.ConnectionString += ";Maximum Pool Size=1;No Reset On Close=true;Application Name=pool-default";
            o.RunTagSetting = "application_name";
            o.StatementTimeout = TimeSpan.FromSeconds(90);
        });
        await using var database = new RedshiftDatabase(options);
        using var harness = new FlowTestHarness();

        var inside = await new RedshiftTasks(database).ReadSessionSettings();

        // PostgreSQL keeps 63 bytes of application_name; Redshift's query_group keeps 320.
        var run = harness.TaskRuns("rs-read-session-settings").Single();
        Assert.That(inside, Is.EqualTo(new SessionValues($"flows:{run.Id}:rs-read-session-settings"[..63], "90s")));
        await using var connection = await (await database.GetDataSourceAsync()).OpenConnectionAsync();
        await using var command = new NpgsqlCommand("SELECT current_setting('application_name') || ' ' || current_setting('statement_timeout')", connection);
        Assert.That(await command.ExecuteScalarAsync(), Is.EqualTo("pool-default 0"));
    }

    [Test]
    public async Task ATransientError_RunsTheWholeTransactionAgain()
    {
        await CreateConflictOnceAsync();
        await using var database = new RedshiftDatabase(Schema.Options(o => o.TransactionRetries = 2));

        await database.InTransactionAsync(async (connection, transaction, ct) =>
        {
            await using var command = new NpgsqlCommand("INSERT INTO loaded VALUES (1); SELECT conflict_once(1)", connection, transaction);
            return await command.ExecuteNonQueryAsync(ct);
        });

        Assert.That(await Schema.ScalarAsync<long>("SELECT COUNT(*) FROM loaded"), Is.EqualTo(1), "the failed attempt's insert was rolled back");
        Assert.That(await Schema.ScalarAsync<long>("SELECT last_value FROM attempts"), Is.EqualTo(2));
    }

    [Test]
    public async Task ATransientErrorOnEveryAttempt_SurfacesAsRedshiftTransientException()
    {
        await CreateConflictOnceAsync();
        await using var database = new RedshiftDatabase(Schema.Options(o => o.TransactionRetries = 1));

        var error = Assert.ThrowsAsync<RedshiftTransientException>(() => database.ExecuteAsync("SELECT conflict_once(5)"));

        Assert.That(error!.Message, Does.StartWith("Statement failed with a transient database error after 2 attempts: XX000: 1023"));
        Assert.That(error.InnerException, Is.TypeOf<PostgresException>());
    }

    [Test]
    public async Task ATaskWithRetryOnTransient_RunsAgain_WhenTheDatabaseGivesUp()
    {
        await CreateConflictOnceAsync();
        await using var database = new RedshiftDatabase(Schema.Options(o => o.TransactionRetries = 0));
        using var harness = new FlowTestHarness();

        await new RedshiftTasks(database).InsertThroughConflicts(failures: 1);

        var run = harness.TaskRuns("rs-insert-through-conflicts").Single();
        Assert.That((run.State, run.Attempt), Is.EqualTo((RunState.Completed, 2)));
        Assert.That(await Schema.ScalarAsync<long>("SELECT COUNT(*) FROM loaded"), Is.EqualTo(1));
    }

    private async Task CreateConflictOnceAsync() => await Schema.ExecuteAsync("""
        CREATE TABLE loaded (id int);
        CREATE SEQUENCE attempts;
        CREATE FUNCTION conflict_once(failures int) RETURNS int LANGUAGE plpgsql AS $$
        BEGIN
          -- Sequences ignore rollbacks, so this counts attempts across retried transactions.
          IF nextval('attempts') <= failures THEN
            RAISE EXCEPTION '1023' USING ERRCODE = 'XX000',
              DETAIL = 'Serializable isolation violation on table - 100234, transactions forming the cycle are: 1, 2';
          END IF;
          RETURN 1;
        END $$;
        """);

    private async Task<string> WriteSqlAsync(string text)
    {
        var path = Path.Combine(Path.GetTempPath(), $"flows-rs-{Guid.NewGuid():N}.sql");
        await File.WriteAllTextAsync(path, text);
        _files.Add(path);
        return path;
    }

    public sealed record Person(int Id, string Name, DateOnly? Joined);
}

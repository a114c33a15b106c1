using Flows.Redshift.Tests.Fixtures;
using Flows.Redshift.Tests.Support;
using Flows.Runs;
using Flows.Testing;
using Npgsql;

namespace Flows.Redshift.Tests.Retries;

/// <summary>
/// Connections lost at chosen moments, against the test PostgreSQL: killed by the server (pg_terminate_backend)
/// while the work waits on a lock the test holds, or cut by a proxy after the server answered. Work that cannot
/// have committed runs again; work whose commit may have happened does not, unless running it again is harmless.
/// </summary>
public sealed class LostConnectionTests : SchemaTest
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static readonly Item[] Rows = [new(1, "a"), new(2, "b"), new(3, "c")];

    [Test]
    public async Task ALoadKilledBeforeItsCommit_RunsAgain_AndLoadsItsRowsOnce()
    {
        await using var database = new RedshiftDatabase(Schema.Options());
        await Schema.ExecuteAsync("CREATE TABLE items (id int, name varchar(10))");
        await using var holder = await OpenAsync(Schema.ConnectionString);
        await ExecuteAsync(holder, "BEGIN; LOCK TABLE items IN EXCLUSIVE MODE");

        var load = database.LoadAsync(Rows, "items", new LoadOptions { ExistingRows = ExistingRows.Append });
        var first = await WaitingAsync(holder, $"relation = '{Schema.Name}.items'::regclass", except: null);
        await ExecuteAsync(holder, $"SELECT pg_terminate_backend({first}, 10000)");
        var second = await WaitingAsync(holder, $"relation = '{Schema.Name}.items'::regclass", except: first);
        await ExecuteAsync(holder, "ROLLBACK");
        await load.WaitAsync(Bound);

        Assert.That(second, Is.Not.EqualTo(first), "the load ran again from a new connection");
        Assert.That(await Schema.ScalarAsync<long>("SELECT COUNT(*) FROM items"), Is.EqualTo(Rows.Length));
    }

    [Test]
    public async Task ALoadKilledDuringItsCommit_IsNotRunAgain_AndSaysTheOutcomeIsUnknown()
    {
        // A deferred trigger runs at COMMIT and waits for an advisory lock the test holds, so the kill lands there.
        var key = Random.Shared.Next(1, int.MaxValue);
        await Schema.ExecuteAsync($$"""
            CREATE TABLE items (id int, name varchar(10));
            CREATE FUNCTION wait_for_the_test() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_advisory_xact_lock({{key}}); RETURN NULL; END $$;
            CREATE CONSTRAINT TRIGGER at_commit AFTER INSERT ON items DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION wait_for_the_test();
            """);
        await using var database = new RedshiftDatabase(Schema.Options());
        await using var holder = await OpenAsync(Schema.ConnectionString);
        await ExecuteAsync(holder, $"SELECT pg_advisory_lock({key})");

        var load = FailureOf(database.LoadAsync(Rows, "items", new LoadOptions { ExistingRows = ExistingRows.Append }));
        var committing = await WaitingAsync(holder, $"locktype = 'advisory' AND objid = {key}", except: null);
        await ExecuteAsync(holder, $"SELECT pg_terminate_backend({committing}, 10000)");
        await ExecuteAsync(holder, $"SELECT pg_advisory_unlock({key})");
        var error = await load;

        var count = await Schema.ScalarAsync<long>("SELECT COUNT(*) FROM items");
        Assert.Multiple(() =>
        {
            Assert.That(error, Is.TypeOf<RedshiftOutcomeUnknownException>());
            Assert.That(error?.Message, Does.StartWith("Load into items: the connection was lost while its COMMIT was in flight"));
            Assert.That(count, Is.Zero, "this time the server had not committed; only the server could tell");
        });
    }

    [Test]
    public async Task AnAppendLoadWhoseCommitReplyIsLost_IsNotRunAgain_AndSaysTheOutcomeIsUnknown()
    {
        await using var proxy = ReplyLosingProxy.Start(Schema.ConnectionString, ReplyLosingProxy.Commit);
        await using var database = new RedshiftDatabase(Schema.Options(o => o.ConnectionString = proxy.Through(Schema.ConnectionString)));
        await Schema.ExecuteAsync("CREATE TABLE items (id int, name varchar(10))");
        using var harness = new FlowTestHarness();

        // A task that retries on transient errors: neither it nor the database may run the load again.
        var error = await FailureOf(new RedshiftTasks(database).AppendItems(Rows));

        var count = await Schema.ScalarAsync<long>("SELECT COUNT(*) FROM items");
        var run = harness.TaskRuns("rs-append-items").Single();
        Assert.Multiple(() =>
        {
            Assert.That(proxy.Lost.IsCompleted, Is.True);
            Assert.That(count, Is.EqualTo(Rows.Length), "the commit happened once, and only once");
            Assert.That(error, Is.TypeOf<RedshiftOutcomeUnknownException>());
            Assert.That(error?.Message, Does.StartWith("Load into items: the connection was lost while its COMMIT was in flight, so whether it committed is unknown ("));
            Assert.That(error?.Message, Does.EndWith("Check whether items already has the rows of this load before running it again."));
            Assert.That((run.State, run.Attempt), Is.EqualTo((RunState.Failed, 1)));
        });
    }

    [Test]
    public async Task ASqlFileWhoseCommitReplyIsLost_IsNotRunAgain()
    {
        await using var proxy = ReplyLosingProxy.Start(Schema.ConnectionString, ReplyLosingProxy.Commit);
        await using var database = new RedshiftDatabase(Schema.Options(o => o.ConnectionString = proxy.Through(Schema.ConnectionString)));
        await Schema.ExecuteAsync("CREATE TABLE items (id int, name varchar(10)); CREATE TABLE runs (day date)");
        var path = Path.Combine(Path.GetTempPath(), $"flows-rs-{Guid.NewGuid():N}.sql");
        await File.WriteAllTextAsync(path, "INSERT INTO items VALUES (1, 'a'), (2, 'b');\nINSERT INTO runs VALUES ('2024-05-01');");
        try
        {
            var error = await FailureOf(database.RunSqlFileAsync(path));

            var counts = await Schema.ScalarAsync<string>("SELECT (SELECT COUNT(*) FROM items) || ' items, ' || (SELECT COUNT(*) FROM runs) || ' runs'");
            Assert.Multiple(() =>
            {
                Assert.That(proxy.Lost.IsCompleted, Is.True);
                Assert.That(counts, Is.EqualTo("2 items, 1 runs"));
                Assert.That(error, Is.TypeOf<RedshiftOutcomeUnknownException>());
                Assert.That(error?.Message, Does.StartWith($"{Path.GetFileName(path)}: the connection was lost while its COMMIT was in flight"));
            });
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public async Task AStatementWhoseReplyIsLost_IsNotRunAgain()
    {
        await Schema.ExecuteAsync("CREATE TABLE items (id int, name varchar(10))");
        await using var proxy = ReplyLosingProxy.Start(Schema.ConnectionString, "INSERT INTO items");
        await using var database = new RedshiftDatabase(Schema.Options(o => o.ConnectionString = proxy.Through(Schema.ConnectionString)));

        var error = await FailureOf(database.ExecuteAsync("INSERT INTO items VALUES (1, 'a')"));

        var count = await Schema.ScalarAsync<long>("SELECT COUNT(*) FROM items");
        Assert.Multiple(() =>
        {
            Assert.That(proxy.Lost.IsCompleted, Is.True);
            Assert.That(count, Is.EqualTo(1));
            Assert.That(error, Is.TypeOf<RedshiftOutcomeUnknownException>());
            Assert.That(error?.Message, Does.StartWith("Statement: the connection was lost while the statement ran, so whether it committed is unknown"));
        });
    }

    [Test]
    public async Task AnUpsertLoadWhoseCommitReplyIsLost_RunsAgain_BecauseRunningItTwiceLeavesTheSameRows()
    {
        await Schema.ExecuteAsync("CREATE TABLE items (id int, name varchar(10)); INSERT INTO items VALUES (2, 'old'), (9, 'kept')");
        await using var proxy = ReplyLosingProxy.Start(Schema.ConnectionString, ReplyLosingProxy.Commit);
        await using var database = new RedshiftDatabase(Schema.Options(o => o.ConnectionString = proxy.Through(Schema.ConnectionString)));

        await database.LoadAsync(Rows, "items", new LoadOptions { ExistingRows = ExistingRows.Upsert, Keys = ["Id"] }).WaitAsync(Bound);

        Assert.That(proxy.Lost.IsCompleted, Is.True);
        Assert.That(await database.QueryAsync<Item>("SELECT id, name FROM items ORDER BY id"), Is.EqualTo(Rows.Append(new Item(9, "kept"))));
    }

    [Test]
    public async Task AStatementOnAConnectionThatDiedInThePool_RunsOnAFreshOne()
    {
        var application = $"rs-stale-{Guid.NewGuid():N}"[..30];
        await using var database = new RedshiftDatabase(Schema.Options(o => o.ConnectionString += $";Application Name={application}"));
        await database.ExecuteAsync("CREATE TABLE items (id int, name varchar(10))");
        await using (var killer = await OpenAsync(Schema.ConnectionString))
        {
            await ExecuteAsync(killer, $"SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity WHERE application_name = '{application}'");
        }

        await database.ExecuteAsync("INSERT INTO items VALUES (1, 'a')").WaitAsync(Bound);

        Assert.That(await Schema.ScalarAsync<long>("SELECT COUNT(*) FROM items"), Is.EqualTo(1));
    }

    /// <summary>What the work failed with (null when it succeeded), within the bound.</summary>
    private static async Task<Exception?> FailureOf(Task work)
    {
        try
        {
            await work.WaitAsync(Bound);
            return null;
        }
        catch (Exception ex) when (ex is not TimeoutException)
        {
            return ex;
        }
    }

    /// <summary>The pid of a backend (other than <paramref name="except"/>) waiting for a lock that matches <paramref name="lockCondition"/>; polls, within the bound.</summary>
    private static async Task<int> WaitingAsync(NpgsqlConnection connection, string lockCondition, int? except)
    {
        int? waiting = null;
        await Eventually.UntilAsync(
            async () =>
            {
                await using var command = new NpgsqlCommand($"SELECT pid FROM pg_locks WHERE {lockCondition} AND NOT granted AND pid <> $1 LIMIT 1", connection);
                command.Parameters.AddWithValue(except ?? 0);
                waiting = await command.ExecuteScalarAsync() as int?;
                return waiting is not null;
            },
            $"a backend waits for a lock where {lockCondition}");
        return waiting!.Value;
    }

    private static async Task<NpgsqlConnection> OpenAsync(string connectionString)
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return connection;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

}

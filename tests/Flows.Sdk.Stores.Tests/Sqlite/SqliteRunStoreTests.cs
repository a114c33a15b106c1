using Flows.Runs;
using Flows.Stores;
using Flows.Stores.Sql;
using Flows.Stores.Sqlite;
using Microsoft.Data.Sqlite;

namespace Flows.Stores.Tests.Sqlite;

/// <summary>What the embedded store does beyond the conformance suite: refusing files it must not touch, concurrent starts, crashes.</summary>
public sealed class SqliteRunStoreTests
{
    private TempFolder _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = TestStores.NewFolder();

    [TearDown]
    public void DeleteFolder()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    [TestCase(5, true, TestName = "SQLITE_BUSY is transient")]
    [TestCase(6, true, TestName = "SQLITE_LOCKED is transient")]
    [TestCase(11, false, TestName = "SQLITE_CORRUPT is not transient")]
    [TestCase(13, false, TestName = "SQLITE_FULL is not transient")]
    public void AWriteRefusedByALockedFile_IsOneTheRecorderMakesAgain(int code, bool transient)
    {
        using var store = new SqliteRunStore(new SqliteRunStoreOptions { Path = _folder.File("flows.db") });
        var refused = new RunStoreException("could not write", new SqliteException("refused", code));

        Assert.That(((IRunStore)store).IsTransient(refused), Is.EqualTo(transient));
    }

    [Test]
    public async Task ACorruptFile_FailsNamingTheStore_AndIsLeftAsItWas()
    {
        var path = _folder.File("flows.db");
        await File.WriteAllBytesAsync(path, System.Text.Encoding.UTF8.GetBytes(new string('x', 8192)));

        await AssertRefusedAndUnchangedAsync(path, "not a SQLite database");
    }

    [Test]
    public async Task AForeignSqliteFile_FailsNamingTheStore_AndIsLeftAsItWas()
    {
        var path = _folder.File("app.db");
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=false"))
        {
            await connection.OpenAsync();
            await using var command = new SqliteCommand("CREATE TABLE customers (id INTEGER); INSERT INTO customers VALUES (1);", connection);
            await command.ExecuteNonQueryAsync();
        }

        await AssertRefusedAndUnchangedAsync(path, "customers", "Nothing was changed");
    }

    [Test]
    public async Task ASchemaNewerThanTheCode_FailsNamingTheStore_AndIsLeftAsItWas()
    {
        var path = _folder.File("flows.db");
        await using (var first = new SqliteRunStore(path))
        {
            await first.OpenAsync();
        }

        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=false"))
        {
            await connection.OpenAsync();
            await using var command = new SqliteCommand("INSERT INTO flows_schema (version, applied_at) VALUES (99, 'future'); PRAGMA wal_checkpoint(TRUNCATE);", connection);
            await command.ExecuteNonQueryAsync();
        }

        await AssertRefusedAndUnchangedAsync(path, "schema version 99");
    }

    [Test]
    public async Task AFileOfSchemaVersion1_IsMigrated_KeepingItsRuns_AndTakesRunsOfDeployments()
    {
        // A file as the first schema left it: its DDL (migrations are never edited), version 1, and a run still going.
        var path = _folder.File("flows.db");
        var old = Guid.CreateVersion7();
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=false"))
        {
            await connection.OpenAsync();
            await using var command = new SqliteCommand(
                "CREATE TABLE flows_schema (version INTEGER NOT NULL, applied_at TEXT NOT NULL);"
                + SqlSchema.Migration(1, new SqlTypes("BLOB", "INTEGER", "INTEGER PRIMARY KEY", string.Empty))
                + "INSERT INTO flows_schema (version, applied_at) VALUES (1, 'then');"
                + "INSERT INTO flows_runs (id, kind, name, state, attempt, tags, created_at) VALUES (@id, 0, 'old-sync', 4, 1, '[\"v1\"]', 638000000000000000);",
                connection);
            command.Parameters.AddWithValue("@id", old.ToByteArray());
            await command.ExecuteNonQueryAsync();
        }

        await using (var store = new SqliteRunStore(path))
        {
            var read = await store.GetRunAsync(old);
            var fresh = new RunRecord { Id = Guid.CreateVersion7(), Kind = RunKind.Flow, Name = "new-sync", State = RunState.Late, CreatedAt = DateTimeOffset.UtcNow, Deployment = "new-sync-daily", ScheduledFor = DateTimeOffset.UtcNow.AddMinutes(-5) };
            await ((IRunStore)store).SaveRunAsync(fresh);

            Assert.That((read!.Name, read.State, read.Tags, read.Deployment, read.ScheduledFor), Is.EqualTo(("old-sync", RunState.Completed, (IReadOnlyList<string>)["v1"], (string?)null, (DateTimeOffset?)null)));
            Assert.That((await store.QueryRunsAsync(new RunQuery { Deployment = "new-sync-daily" })).Single().Id, Is.EqualTo(fresh.Id));
            Assert.That((await store.QueryRunsAsync(new RunQuery())).Select(r => r.Name), Is.EqualTo(new[] { "new-sync", "old-sync" }));
        }

        await using var check = new SqliteConnection($"Data Source={path};Pooling=false");
        await check.OpenAsync();
        await using var versions = new SqliteCommand("SELECT group_concat(version) FROM flows_schema; ", check);
        Assert.That(await versions.ExecuteScalarAsync(), Is.EqualTo(string.Join(",", Enumerable.Range(1, SqlSchema.Latest))), "every migration applied once, in order");
        await using var sweep = new SqliteCommand($"EXPLAIN QUERY PLAN SELECT id FROM flows_runs WHERE {SqlSchema.Unfinished} AND owner_id IS NULL", check);
        await using (var sweepPlan = await sweep.ExecuteReaderAsync())
        {
            Assert.That(await sweepPlan.ReadAsync() ? sweepPlan.GetString(3) : null, Does.Contain("flows_runs_unfinished"), "the crash sweep still uses the unfinished-runs index");
        }

        await using var plan = new SqliteCommand("EXPLAIN QUERY PLAN SELECT id FROM flows_runs WHERE deployment = 'x' ORDER BY created_at DESC, seq DESC LIMIT 10", check);
        await using var reader = await plan.ExecuteReaderAsync();
        var steps = new List<string>();
        while (await reader.ReadAsync())
        {
            steps.Add(reader.GetString(3));
        }

        Assert.That(steps, Has.Some.Contains("flows_runs_deployment_created"), "runs of a deployment, newest first, come from their index");
    }

    [Test]
    public async Task StoresOpeningAtOnce_MigrateOnce_AndAllWork()
    {
        var path = _folder.File("flows.db");
        var stores = Enumerable.Range(0, 6).Select(_ => new SqliteRunStore(path)).ToList();

        await Task.WhenAll(stores.Select(s => Task.Run(async () => await s.OpenAsync())));
        await Task.WhenAll(stores.Select((s, i) => ((IRunStore)s).SaveRunAsync(new RunRecord { Id = Guid.CreateVersion7(), Kind = RunKind.Flow, Name = $"f{i}", State = RunState.Completed, CreatedAt = DateTimeOffset.UtcNow }).AsTask()));

        Assert.That(await stores[0].QueryRunsAsync(new RunQuery()), Has.Count.EqualTo(6));
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=false");
        await connection.OpenAsync();
        await using var command = new SqliteCommand("SELECT count(*) FROM flows_schema", connection);
        Assert.That(await command.ExecuteScalarAsync(), Is.EqualTo((long)SqlSchema.Latest), "each migration applied once");
        foreach (var store in stores)
        {
            await store.DisposeAsync();
        }
    }

    [Test]
    public async Task ABatchThatFails_LeavesNoPartOfItInTheStore()
    {
        await using var store = new SqliteRunStore(_folder.File("flows.db"));
        var run = new RunRecord { Id = Guid.CreateVersion7(), Kind = RunKind.Task, Name = "ok", State = RunState.Completed, CreatedAt = DateTimeOffset.UtcNow };
        var invalid = run with { Id = Guid.CreateVersion7(), Name = null! };

        Assert.That(async () => await store.WriteAsync(new RunWriteBatch { Runs = [run, invalid], Transitions = [new StateTransition(run.Id, RunState.Completed, run.CreatedAt, 1)] }), Throws.InstanceOf<SqliteException>());

        Assert.That(await store.GetRunAsync(run.Id), Is.Null);
        Assert.That(await store.GetTransitionsAsync(run.Id), Is.Empty);
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task AProcessKilledMidRun_LeavesItsRunCrashed_WithItsCompletedTaskRunsIntact(CancellationToken cancellationToken)
    {
        var path = _folder.File("flows.db");
        const int Steps = 25;

        await CrashHelperProcess.RunUntilReadyThenKillAsync(cancellationToken, path, Steps.ToString(System.Globalization.CultureInfo.InvariantCulture));

        await using var store = new SqliteRunStore(path);
        await store.OpenAsync(cancellationToken);

        var flow = (await store.QueryRunsAsync(new RunQuery { Name = "crash-job" }, cancellationToken)).Single();
        var details = await store.GetRunDetailsAsync(flow.Id, cancellationToken);
        var steps = details!.TaskRuns.Where(r => r.Name == "crash-step").ToList();
        var hang = details.TaskRuns.Single(r => r.Name == "crash-hang");
        Assert.Multiple(async () =>
        {
            Assert.That(flow.State, Is.EqualTo(RunState.Crashed));
            Assert.That(flow.Error, Does.Contain("stopped before it finished"));
            Assert.That(details.Transitions.Select(t => t.State), Is.EqualTo(new[] { RunState.Pending, RunState.Running, RunState.Crashed }));
            Assert.That(hang.State, Is.EqualTo(RunState.Crashed));
            Assert.That(steps, Has.Count.EqualTo(Steps));
            Assert.That(steps.Select(s => s.State), Is.All.EqualTo(RunState.Completed));
            foreach (var step in steps)
            {
                Assert.That((await store.GetTransitionsAsync(step.Id, cancellationToken)).Select(t => t.State), Is.EqualTo(new[] { RunState.Pending, RunState.Running, RunState.Completed }));
            }
        });
        await using var connection = new SqliteConnection($"Data Source={path}");
        await connection.OpenAsync(cancellationToken);
        await using var check = new SqliteCommand("PRAGMA integrity_check", connection);
        Assert.That(await check.ExecuteScalarAsync(cancellationToken), Is.EqualTo("ok"));
    }

    [Test]
    public async Task RunsOfAProcessThatIsStillAlive_AreNotMarkedCrashed()
    {
        var path = _folder.File("flows.db");
        await using var running = new SqliteRunStore(path);
        var run = TestStores.RunningFlow("alive", DateTimeOffset.UtcNow);
        await ((IRunStore)running).SaveRunAsync(run);

        await using var next = new SqliteRunStore(path);
        await next.OpenAsync();

        Assert.That((await next.GetRunAsync(run.Id))!.State, Is.EqualTo(RunState.Running));
    }

    [Test]
    public async Task ARunWronglyMarkedCrashed_IsPutBackByItsLiveProcess_AndItsLaterUpdatesLand()
    {
        var path = _folder.File("flows.db");
        await using var running = new SqliteRunStore(path);
        var run = TestStores.RunningFlow("alive", DateTimeOffset.UtcNow);
        await running.WriteAsync(new RunWriteBatch { Runs = [run], Transitions = [new StateTransition(run.Id, RunState.Running, run.CreatedAt, 1)] });

        // Its owner row is gone (a peer in another container on this host took it for gone), so the next store crashes its run.
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=false"))
        {
            await connection.OpenAsync();
            await using var command = new SqliteCommand("DELETE FROM flows_owners WHERE id = $id", connection);
            command.Parameters.AddWithValue("$id", running.OwnerId.ToByteArray());
            Assert.That(await command.ExecuteNonQueryAsync(), Is.EqualTo(1));
        }

        await using var next = new SqliteRunStore(path);
        await next.OpenAsync();
        Assert.That((await next.GetRunAsync(run.Id))!.State, Is.EqualTo(RunState.Crashed));

        await running.WriteAsync(new RunWriteBatch
        {
            Runs = [run with { State = RunState.Completed, EndedAt = DateTimeOffset.UtcNow }],
            Transitions = [new StateTransition(run.Id, RunState.Completed, DateTimeOffset.UtcNow, 1)],
        });

        var transitions = await next.GetTransitionsAsync(run.Id);
        Assert.That((await next.GetRunAsync(run.Id))!.State, Is.EqualTo(RunState.Completed));
        Assert.That(transitions.Select(t => t.State), Is.EqualTo(new[] { RunState.Running, RunState.Crashed, RunState.Running, RunState.Completed }));
        Assert.That(transitions[2].Message, Does.Contain("wrongly marked Crashed").And.Contain(next.OwnerId.ToString()));
    }

    /// <summary>Opening the file fails with a message naming it and saying why, and the file keeps every byte.</summary>
    private static async Task AssertRefusedAndUnchangedAsync(string path, params string[] expected)
    {
        var before = await File.ReadAllBytesAsync(path);

        await using (var store = new SqliteRunStore(path))
        {
            var error = Assert.ThrowsAsync<RunStoreException>(async () => await store.OpenAsync());
            Assert.That(error!.Message, Does.Contain(path));
            Assert.That(expected, Is.All.Matches<string>(e => error.Message.Contains(e, StringComparison.Ordinal)), error.Message);
        }

        SqliteConnection.ClearAllPools();
        Assert.That(await File.ReadAllBytesAsync(path), Is.EqualTo(before));
    }
}

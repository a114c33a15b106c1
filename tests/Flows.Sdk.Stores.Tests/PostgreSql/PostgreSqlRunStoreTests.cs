using Flows.Runs;
using Flows.Stores;
using Flows.Stores.PostgreSql;
using Flows.Stores.Sql;
using Npgsql;

namespace Flows.Stores.Tests.PostgreSql;

/// <summary>What the PostgreSQL store does beyond the conformance suite: refused logins, newer schemas, concurrent starts (heartbeats: <see cref="PostgreSqlOwnershipTests"/>).</summary>
public sealed class PostgreSqlRunStoreTests : PostgreSqlSchemaTests
{
    [Test]
    public async Task ARefusedLogin_FailsNamingTheStoreAndUser_WithoutThePassword()
    {
        var builder = new NpgsqlConnectionStringBuilder(TestStores.PostgresConnectionString) { Username = "flows_no_such_user", Password = "hunter2" };
        await using var store = new PostgreSqlRunStore(new PostgreSqlRunStoreOptions { ConnectionString = builder.ConnectionString, Schema = Schema });

        var error = Assert.ThrowsAsync<RunStoreException>(async () => await store.OpenAsync());

        Assert.That(error!.Message, Does.Contain("PostgreSQL store").And.Contain("refused the login of user 'flows_no_such_user'").And.Not.Contain("hunter2"));
        Assert.That(await TestStores.ScalarAsync($"SELECT count(*) FROM information_schema.schemata WHERE schema_name = '{Schema}'"), Is.Zero);
    }

    [Test]
    public async Task ASchemaOfVersion1_IsMigrated_KeepingItsRuns_AndLateRunsCountAsUnfinished()
    {
        // A schema as the first version left it: its DDL (migrations are never edited), version 1, and a finished run.
        var old = Guid.CreateVersion7();
        var types = new SqlTypes("uuid", "timestamptz", "bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY", $"\"{Schema}\".");
        await TestStores.ScalarAsync(
            $"CREATE SCHEMA \"{Schema}\"; CREATE TABLE \"{Schema}\".flows_schema (version INTEGER NOT NULL, applied_at TEXT NOT NULL);"
            + SqlSchema.Migration(1, types)
            + $"; INSERT INTO \"{Schema}\".flows_schema (version, applied_at) VALUES (1, 'then');"
            + $"INSERT INTO \"{Schema}\".flows_runs (id, kind, name, state, attempt, tags, created_at) VALUES ('{old}', 0, 'old-sync', 4, 1, '[]', now())");

        await using (var store = TestStores.Postgres(Schema))
        {
            var fresh = new RunRecord { Id = Guid.CreateVersion7(), Kind = RunKind.Flow, Name = "new-sync", State = RunState.Late, CreatedAt = DateTimeOffset.UtcNow, Deployment = "new-sync-daily", ScheduledFor = DateTimeOffset.UtcNow };
            await ((IRunStore)store).SaveRunAsync(fresh);

            Assert.That((await store.GetRunAsync(old))!.Deployment, Is.Null);
            Assert.That((await store.QueryRunsAsync(new RunQuery { Deployment = "new-sync-daily" })).Single().Id, Is.EqualTo(fresh.Id));
        }

        Assert.That(await TestStores.ScalarAsync($"SELECT string_agg(version::text, ',' ORDER BY version) FROM \"{Schema}\".flows_schema"), Is.EqualTo(string.Join(",", Enumerable.Range(1, SqlSchema.Latest))), "every migration applied once, in order");
        Assert.That(
            await TestStores.ScalarAsync($"SELECT indexdef FROM pg_indexes WHERE schemaname = '{Schema}' AND indexname = 'flows_runs_unfinished'"),
            Does.Contain("state < 4"),
            "kept as migration 1 made it: the migration builds no index over the table's unfinished runs again");
    }

    [Test]
    public async Task ASchemaNewerThanTheCode_FailsNamingTheStore_AndIsLeftAsItWas()
    {
        await using (var first = TestStores.Postgres(Schema))
        {
            await first.OpenAsync();
        }

        await TestStores.ScalarAsync($"INSERT INTO \"{Schema}\".flows_schema (version, applied_at) VALUES (99, 'future')");

        await using var store = TestStores.Postgres(Schema);
        var error = Assert.ThrowsAsync<RunStoreException>(async () => await store.OpenAsync());

        Assert.That(error!.Message, Does.Contain($"schema '{Schema}'").And.Contain("schema version 99"));
        Assert.That(await TestStores.ScalarAsync($"SELECT count(*) FROM \"{Schema}\".flows_owners"), Is.Zero, "no owner was registered");
    }

    [Test]
    public async Task WritesRefusedBecauseTheServerDroppedTheConnections_AreMadeAgain_AndNothingIsLost()
    {
        var application = "flows-" + Schema;
        var builder = new NpgsqlConnectionStringBuilder(TestStores.PostgresConnectionString) { ApplicationName = application };
        await using var store = new PostgreSqlRunStore(new PostgreSqlRunStoreOptions { ConnectionString = builder.ConnectionString, Schema = Schema });
        await using var engine = new FlowEngine(new FlowEngineOptions { Store = store });
        using var scope = engine.Use();
        await StoreJobs.Sync(["OH"]);

        // Every pooled connection dies under the store, as in a failover or a restart of the server.
        var dropped = await TestStores.ScalarAsync($"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = '{application}'");
        var total = await StoreJobs.Sync(["PA", "NY"]);
        await engine.FlushAsync();

        Assert.That(dropped, Is.GreaterThan(0L), "connections were dropped");
        Assert.That(total, Is.EqualTo(4));
        var runs = await store.QueryRunsAsync(new RunQuery());
        Assert.That(runs.Select(r => (r.Name, r.State)), Is.EquivalentTo(new[]
        {
            ("store-sync", RunState.Completed), ("store-count", RunState.Completed),
            ("store-sync", RunState.Completed), ("store-count", RunState.Completed), ("store-count", RunState.Completed),
        }));
    }

    [Test]
    public async Task StoresOpeningAtOnce_MigrateOnce_AndAllWork()
    {
        var stores = Enumerable.Range(0, 4).Select(_ => TestStores.Postgres(Schema)).ToList();

        await Task.WhenAll(stores.Select(s => Task.Run(async () => await s.OpenAsync())));

        Assert.That(await TestStores.ScalarAsync($"SELECT count(*) FROM \"{Schema}\".flows_schema"), Is.EqualTo((long)SqlSchema.Latest), "each migration applied once");
        Assert.That(await TestStores.ScalarAsync($"SELECT count(*) FROM \"{Schema}\".flows_owners"), Is.EqualTo(4L));
        foreach (var store in stores)
        {
            await store.DisposeAsync();
        }
    }
}

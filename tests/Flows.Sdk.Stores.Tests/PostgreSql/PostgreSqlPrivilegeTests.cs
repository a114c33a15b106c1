using Flows.Runs;
using Flows.Stores;
using Flows.Stores.PostgreSql;
using Npgsql;

namespace Flows.Stores.Tests.PostgreSql;

/// <summary>
/// A least-privilege role (no CREATE on the database) opens a store an administrator migrated, without any DDL; on a
/// store not migrated yet it fails saying which privilege it lacks and what an administrator must do.
/// </summary>
public sealed class PostgreSqlPrivilegeTests
{
    private string _schema = null!;
    private string _role = null!;

    [SetUp]
    public async Task CreateRole()
    {
        _schema = TestStores.NewSchema();
        _role = "flows_app_" + Guid.NewGuid().ToString("N")[..12];
        await TestStores.ScalarAsync($"CREATE ROLE {_role} LOGIN");
    }

    [TearDown]
    public async Task DropSchemaAndRole()
    {
        await TestStores.DropSchemaAsync(_schema);
        await TestStores.ScalarAsync($"DROP ROLE IF EXISTS {_role}");
    }

    [Test]
    public async Task ARoleThatMayOnlyUseTheTables_OpensAMigratedStore_AndRecordsAndReadsRuns()
    {
        await using (var administrator = TestStores.Postgres(_schema))
        {
            await administrator.OpenAsync();
        }

        await TestStores.ScalarAsync(
            $"GRANT USAGE ON SCHEMA \"{_schema}\" TO {_role}; GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA \"{_schema}\" TO {_role}");
        await using var store = StoreAsRole();
        var run = TestStores.RunningFlow("least-privilege", DateTimeOffset.UtcNow);

        await store.OpenAsync();
        await ((IRunStore)store).WriteAsync(new RunWriteBatch { Runs = [run], Transitions = [new StateTransition(run.Id, RunState.Running, run.CreatedAt, 1)] });
        await store.MarkCrashedRunsAsync();

        Assert.That((await store.GetRunAsync(run.Id))!.State, Is.EqualTo(RunState.Running));
        Assert.That(await store.GetTransitionsAsync(run.Id), Has.Count.EqualTo(1));
        Assert.That(await TestStores.ScalarAsync($"SELECT count(*) FROM \"{_schema}\".flows_owners"), Is.EqualTo(1L), "the role registered its owner row");
    }

    [Test]
    public async Task ARoleWithoutCreate_OpeningAStoreNotMigratedYet_FailsSayingWhatItLacksAndWhatAnAdministratorMustDo()
    {
        var database = new NpgsqlConnectionStringBuilder(TestStores.PostgresConnectionString).Database;
        await using var store = StoreAsRole();

        var error = Assert.ThrowsAsync<RunStoreException>(async () => await store.OpenAsync());

        Assert.That(error!.Message, Does.Contain($"role '{_role}'")
            .And.Contain($"CREATE on database '{database}'")
            .And.Contain("administrator")
            .And.Contain($"GRANT CREATE ON DATABASE \"{database}\" TO \"{_role}\""));
        Assert.That(await TestStores.ScalarAsync($"SELECT count(*) FROM pg_namespace WHERE nspname = '{_schema}'"), Is.Zero, "nothing was created");
    }

    private PostgreSqlRunStore StoreAsRole() => new(new PostgreSqlRunStoreOptions
    {
        ConnectionString = new NpgsqlConnectionStringBuilder(TestStores.PostgresConnectionString) { Username = _role, Password = null }.ConnectionString,
        Schema = _schema,
    });
}

using Flows.Runs;
using Flows.Stores.PostgreSql;
using Flows.Stores.Sql;
using Flows.Stores.Sqlite;
using Flows.Stores.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Flows.Stores.Tests;

/// <summary>
/// The nodes sharing a store (<see cref="IRunStoreNodes"/>): on the SQL stores every store instance on the database is
/// listed, with what it serves, its flow runs in progress and its heartbeat judged on the database's clock. Each store
/// instance plays one process; heartbeats are slow (30 s, timeout 5 min) so no beat or sweep moves under a test.
/// </summary>
public abstract class SqlStoreNodesConformanceTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds());
    private readonly List<SqlRunStore> _stores = [];

    protected static TimeSpan Interval => TimeSpan.FromSeconds(30);

    protected static TimeSpan Timeout => TimeSpan.FromMinutes(5);

    /// <summary>Creates the test's own database (a file, a schema).</summary>
    protected abstract void CreateDatabase();

    /// <summary>A store instance on the test's database with <see cref="Interval"/> and <see cref="Timeout"/>.</summary>
    protected abstract SqlRunStore NewStore();

    protected abstract Task DeleteDatabaseAsync();

    /// <summary>Moves an owner's last heartbeat back by <paramref name="by"/> on the database, as if it had been silent; with <paramref name="machine"/>, moves it there too.</summary>
    protected abstract Task SilenceAsync(Guid owner, TimeSpan by, string? machine = null);

    /// <summary>
    /// How a node of this machine whose heartbeat lapsed while its process still runs is judged: SQLite asks the
    /// machine (the process runs, so it is only overdue), PostgreSQL goes by the heartbeat alone.
    /// </summary>
    protected abstract NodeHealth LapsedProcessOfThisMachineThatStillRuns { get; }

    [SetUp]
    public void Create() => CreateDatabase();

    [TearDown]
    public async Task CleanUp()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        await DeleteDatabaseAsync();
    }

    [Test]
    public async Task TwoStoresOnOneDatabase_EachListsBoth_WithWhatTheyServe_AndTheirFlowRunsInProgressOnly()
    {
        var worker = new NodeDescription { Works = true, Queues = ["heavy", "default"], MaxConcurrentRuns = 4, Application = "etl", Version = "1.2.0" };
        var scheduler = new NodeDescription { Schedules = true, RefusedQueues = ["heavy"], Application = "etl", Version = "1.2.1" };
        var a = Open();
        await a.DescribeNodeAsync(worker);
        await a.OpenAsync();
        var b = Open();
        await b.OpenAsync();
        await b.DescribeNodeAsync(scheduler);
        var (pending, running, retrying) = (Flow("p", RunState.Pending, 1), Flow("r", RunState.Running, 2), Flow("y", RunState.Retrying, 3));
        await a.WriteAsync(new RunWriteBatch { Runs = [running, pending, Flow("done", RunState.Completed, 4), Flow("waits", RunState.Scheduled, 5), Flow("r", RunState.Running, 6) with { Kind = RunKind.Task }] });
        await b.WriteAsync(new RunWriteBatch { Runs = [retrying] });

        var fromA = await a.ListNodesAsync();
        var fromB = await b.ListNodesAsync();

        Assert.That(fromA.Select(n => (n.Id, n.IsCurrent)), Is.EqualTo(new[] { (a.OwnerId, true), (b.OwnerId, false) }), "its own first");
        Assert.That(fromB.Select(n => (n.Id, n.IsCurrent)), Is.EqualTo(new[] { (b.OwnerId, true), (a.OwnerId, false) }));
        var (nodeA, nodeB) = (fromB[1], fromB[0]);
        Assert.Multiple(() =>
        {
            Assert.That((nodeA.Description, nodeB.Description), Is.EqualTo((worker, scheduler)), "described before opening (on registering) and after (at once)");
            Assert.That(nodeA.Runs.Select(r => r.Id), Is.EqualTo(new[] { running.Id, pending.Id }), "flow runs in progress, newest first: no task run, no ended or waiting run");
            Assert.That(nodeA.RunsInProgress, Is.EqualTo(2));
            Assert.That(nodeB.Runs, Is.EqualTo(new[] { new NodeRun(retrying.Id, "y", RunState.Retrying, retrying.StartedAt, "nightly") }));
            Assert.That((nodeA.Machine, nodeA.ProcessId, nodeA.Health, nodeA.IsAlive), Is.EqualTo((Environment.MachineName, Environment.ProcessId, NodeHealth.Alive, true)));
            Assert.That(nodeA.SinceHeartbeat, Is.LessThan(Interval), "it registered moments ago");
            Assert.That(nodeA.LastHeartbeat, Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromMinutes(1)));
            Assert.That(nodeA.StartedAt, Is.LessThanOrEqualTo(nodeA.LastHeartbeat));
        });
    }

    [Test]
    public async Task ANodeThatMissedABeat_IsOverdue_AndOneSilentForLongerThanTheTimeout_IsGone()
    {
        var lister = Open();
        var late = Open();
        var silent = Open();
        await Task.WhenAll(lister.OpenAsync().AsTask(), late.OpenAsync().AsTask(), silent.OpenAsync().AsTask());
        var run = Flow("left", RunState.Running, 1);
        await silent.WriteAsync(new RunWriteBatch { Runs = [run] });
        await SilenceAsync(late.OwnerId, Interval * 2);
        await SilenceAsync(silent.OwnerId, Timeout * 2, machine: "gone-box");

        var nodes = (await lister.ListNodesAsync()).ToDictionary(n => n.Id);

        Assert.That((nodes[lister.OwnerId].Health, nodes[late.OwnerId].Health, nodes[silent.OwnerId].Health), Is.EqualTo((NodeHealth.Alive, NodeHealth.Overdue, NodeHealth.Gone)));
        Assert.That(nodes[silent.OwnerId].IsAlive, Is.False);
        Assert.That(nodes[silent.OwnerId].SinceHeartbeat, Is.EqualTo(Timeout * 2).Within(TimeSpan.FromMinutes(1)), "judged on the database's clock");
        Assert.That(nodes[silent.OwnerId].Runs.Select(r => r.Id), Is.EqualTo(new[] { run.Id }), "listed until a sweep removes it and crashes its runs");
    }

    [Test]
    public async Task TheRunsListedPerNode_AreCapped_ButAllAreCounted()
    {
        var store = Open();
        await store.WriteAsync(new RunWriteBatch { Runs = [.. Enumerable.Range(0, 5).Select(i => Flow("many", RunState.Running, i))] });

        var node = (await store.ListNodesAsync(runsPerNode: 2)).Single();

        Assert.That((node.Runs.Count, node.RunsInProgress), Is.EqualTo((2, 5)));
        Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.ListNodesAsync(runsPerNode: -1));
    }

    [Test]
    public async Task ADescriptionChanged_ReplacesTheOneShown_AndAStoreThatGaveNone_HasNone()
    {
        var described = Open();
        var plain = Open();
        await described.DescribeNodeAsync(new NodeDescription { Works = true });
        await described.OpenAsync();
        await plain.OpenAsync();

        await described.DescribeNodeAsync(new NodeDescription { Works = true, Queues = ["reports"] });

        var nodes = (await plain.ListNodesAsync()).ToDictionary(n => n.Id);
        Assert.That(nodes[described.OwnerId].Description!.Queues, Is.EqualTo(new[] { "reports" }));
        Assert.That(nodes[plain.OwnerId].Description, Is.Null);
    }

    [Test]
    public async Task ANodeOfThisMachineSilentForLongerThanTheTimeout_IsGoneByItsHeartbeat_OrOverdueWhereTheStoreAsksTheMachine()
    {
        var lister = Open();
        var paused = Open();
        await paused.OpenAsync();
        await SilenceAsync(paused.OwnerId, Timeout * 2);

        var node = (await lister.ListNodesAsync()).Single(n => n.Id == paused.OwnerId);

        Assert.That(node.Health, Is.EqualTo(LapsedProcessOfThisMachineThatStillRuns));
    }

    private SqlRunStore Open()
    {
        var store = NewStore();
        _stores.Add(store);
        return store;
    }

    private static RunRecord Flow(string name, RunState state, int minute) => new()
    {
        Id = Guid.CreateVersion7(),
        Kind = RunKind.Flow,
        Name = name,
        State = state,
        CreatedAt = T0.AddMinutes(minute),
        StartedAt = state == RunState.Scheduled ? null : T0.AddMinutes(minute),
        Deployment = "nightly",
    };
}

public sealed class SqliteStoreNodesConformanceTests : SqlStoreNodesConformanceTests
{
    private TempFolder? _folder;

    protected override void CreateDatabase() => _folder = TestStores.NewFolder();

    protected override SqlRunStore NewStore() =>
        new SqliteRunStore(new SqliteRunStoreOptions { Path = _folder!.File("flows.db"), HeartbeatInterval = Interval, HeartbeatTimeout = Timeout });

    protected override Task DeleteDatabaseAsync()
    {
        SqliteConnection.ClearAllPools();
        _folder?.Dispose();
        return Task.CompletedTask;
    }

    protected override async Task SilenceAsync(Guid owner, TimeSpan by, string? machine = null)
    {
        await using var connection = new SqliteConnection($"Data Source={_folder!.File("flows.db")}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE flows_owners SET heartbeat_at = heartbeat_at - @by, machine = coalesce(@machine, machine) WHERE id = @id";
        command.Parameters.AddWithValue("@by", by.Ticks);
        command.Parameters.AddWithValue("@machine", (object?)machine ?? DBNull.Value);
        command.Parameters.AddWithValue("@id", owner.ToByteArray());
        Assert.That(await command.ExecuteNonQueryAsync(), Is.EqualTo(1));
    }

    protected override NodeHealth LapsedProcessOfThisMachineThatStillRuns => NodeHealth.Overdue;
}

public sealed class PostgreSqlStoreNodesConformanceTests : SqlStoreNodesConformanceTests
{
    private string? _schema;

    protected override void CreateDatabase() => _schema = TestStores.NewSchema();

    protected override SqlRunStore NewStore() => new PostgreSqlRunStore(new PostgreSqlRunStoreOptions
    {
        ConnectionString = TestStores.PostgresConnectionString,
        Schema = _schema!,
        HeartbeatInterval = Interval,
        HeartbeatTimeout = Timeout,
    });

    protected override NodeHealth LapsedProcessOfThisMachineThatStillRuns => NodeHealth.Gone;

    protected override Task DeleteDatabaseAsync() => _schema is null ? Task.CompletedTask : TestStores.DropSchemaAsync(_schema);

    protected override async Task SilenceAsync(Guid owner, TimeSpan by, string? machine = null)
    {
        var moveTo = machine is null ? string.Empty : $", machine = '{machine}'";
        var changed = await TestStores.ScalarAsync(
            $"WITH moved AS (UPDATE \"{_schema}\".flows_owners SET heartbeat_at = heartbeat_at - interval '{(int)by.TotalSeconds} seconds'{moveTo} WHERE id = '{owner}' RETURNING 1) SELECT count(*) FROM moved");
        Assert.That(changed, Is.EqualTo(1L));
    }
}

public sealed class InMemoryStoreNodesTests
{
    [Test]
    public async Task TheInMemoryStore_ListsItsOneProcess_Alive_WithItsDescriptionAndFlowRunsInProgress()
    {
        var store = new InMemoryRunStore();
        var running = new RunRecord { Id = Guid.CreateVersion7(), Kind = RunKind.Flow, Name = "r", State = RunState.Running, CreatedAt = DateTimeOffset.UtcNow };
        await store.WriteAsync(new RunWriteBatch { Runs = [running, running with { Id = Guid.CreateVersion7(), State = RunState.Failed }, running with { Id = Guid.CreateVersion7(), Kind = RunKind.Task }] });
        await store.DescribeNodeAsync(new NodeDescription { Works = true, Queues = ["q"] });

        var node = (await store.ListNodesAsync()).Single();

        Assert.That((node.IsCurrent, node.Health, node.ProcessId, node.Machine), Is.EqualTo((true, NodeHealth.Alive, Environment.ProcessId, Environment.MachineName)));
        Assert.That(node.Description, Is.EqualTo(new NodeDescription { Works = true, Queues = ["q"] }));
        Assert.That((node.RunsInProgress, node.Runs.Single().Id), Is.EqualTo((1, running.Id)));
    }
}

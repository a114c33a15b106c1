using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Flows;
using Flows.Stores;
using Flows.Stores.PostgreSql;
using Flows.Stores.Sqlite;
using Npgsql;

namespace Flows.Benchmarks;

/// <summary>
/// One flow of 100,000 sequential task runs on each store, timed until the flow's end is written through (so every
/// task run is in the store). PostgreSQL is measured when <c>FLOWS_TEST_POSTGRES</c> holds a connection string.
/// The same figure as runs per second: <c>-- store-throughput</c>.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class StoreFlowBenchmarks
{
    private const int TaskRuns = 100_000;

    private DirectoryInfo? _folder;
    private string? _schema;
    private IRunStore _store = null!;
    private FlowEngine _engine = null!;

    [ParamsSource(nameof(Stores))]
    public string Store { get; set; } = "in-memory";

    public static IEnumerable<string> Stores =>
        string.IsNullOrWhiteSpace(Postgres) ? ["in-memory", "SQLite"] : ["in-memory", "SQLite", "PostgreSQL"];

    private static string? Postgres => Environment.GetEnvironmentVariable("FLOWS_TEST_POSTGRES");

    /// <summary>A fresh store each iteration: a store that keeps 100,000 more runs per iteration would measure its own growth.</summary>
    [IterationSetup]
    public void FreshStore()
    {
        _store = Store switch
        {
            "SQLite" => new SqliteRunStore(Path.Combine((_folder ??= Directory.CreateTempSubdirectory("flows-bench-")).FullName, $"{Guid.NewGuid():N}.db")),
            "PostgreSQL" => new PostgreSqlRunStore(new PostgreSqlRunStoreOptions { ConnectionString = Postgres!, Schema = _schema ??= "flows_bench_" + Guid.NewGuid().ToString("N")[..12] }),
            _ => new InMemoryRunStore(),
        };
        _store.OpenAsync().AsTask().GetAwaiter().GetResult();
        _engine = new FlowEngine(new FlowEngineOptions { Store = _store, OwnsStore = true });
        FlowEngine.Default = _engine;
    }

    [IterationCleanup]
    public void DropStore() => _engine.Dispose();

    [GlobalCleanup]
    public void Cleanup()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder?.Delete(recursive: true);
        if (_schema is not null)
        {
            using var connection = new NpgsqlConnection(Postgres);
            connection.Open();
            using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{_schema}\" CASCADE", connection);
            drop.ExecuteNonQuery();
        }
    }

    [Benchmark]
    public Task<int> Flow() => StoreBench.Run(TaskRuns);
}

using System.Diagnostics;
using System.Globalization;
using Flows.Runs;
using Flows.Stores;
using Flows.Stores.PostgreSql;
using Flows.Stores.Sqlite;
using Npgsql;

namespace Flows.Benchmarks;

/// <summary>
/// Task runs recorded per second by each store, against a floor measured in the same run: one flow calls a trivial
/// task 100,000 times, and the clock stops when the flow's end is written through (so every task run before it is in
/// the store). Each durable store's floor is the same rows inserted with no engine at all (<see cref="StoreFloors"/>);
/// engine and floor alternate for <c>--rounds</c> rounds, each on a fresh file or schema, and the medians are compared.
/// Exits 1 when a store is below its target: SQLite at least 90% of its floor, PostgreSQL at least 70% of binary COPY.
/// <code>dotnet run -c Release --project bench/Flows.Sdk.Benchmarks -- store-throughput [--task-runs N] [--rounds N] [--postgres "Host=..."]</code>
/// PostgreSQL comes from <c>--postgres</c> or <c>FLOWS_TEST_POSTGRES</c>; without either it is skipped with a note.
/// </summary>
public static class StoreThroughput
{
    public const string Command = "store-throughput";

    private const double SqliteTarget = 0.90;
    private const double PostgreSqlTarget = 0.70;

    public static async Task<int> RunAsync(string[] args)
    {
        var taskRuns = int.Parse(Option(args, "--task-runs") ?? "100000", CultureInfo.InvariantCulture);
        var rounds = int.Parse(Option(args, "--rounds") ?? "3", CultureInfo.InvariantCulture);
        var postgres = Option(args, "--postgres") ?? Environment.GetEnvironmentVariable("FLOWS_TEST_POSTGRES");
        Console.WriteLine($"Recording {taskRuns:N0} task runs in one flow, per store, median of {rounds} rounds ({Environment.ProcessorCount} cores, load average {LoadAverage()}).");
        Console.WriteLine();
        Console.WriteLine("| store      | engine runs / s | floor runs / s | engine / floor | target | rounds (engine / floor)");
        Console.WriteLine("|------------|----------------:|---------------:|---------------:|-------:|------------------------");

        var memory = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            memory.Add(await MeasureAsync("in-memory", new InMemoryRunStore(), taskRuns));
        }

        Console.WriteLine($"| in-memory  | {Median(memory),15:N0} |              - |              - |      - | {string.Join(", ", memory.Select(r => r.ToString("N0", CultureInfo.InvariantCulture)))}");

        var met = true;
        var folder = Directory.CreateTempSubdirectory("flows-bench-");
        try
        {
            met &= await CompareAsync("SQLite", SqliteTarget, rounds, async round =>
            {
                await using var sqlite = new SqliteRunStore(Path.Combine(folder.FullName, $"engine-{round}.db"));
                var engine = await MeasureAsync("SQLite", sqlite, taskRuns);
                var template = await StoreFloors.Template.ReadAsync(sqlite, engine);
                var floor = await StoreFloors.SqliteAsync(template, taskRuns, Path.Combine(folder.FullName, $"floor-{round}.db"));
                return (engine, floor);
            });
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            folder.Delete(recursive: true);
        }

        if (string.IsNullOrWhiteSpace(postgres))
        {
            Console.WriteLine("| PostgreSQL | skipped: no --postgres argument and FLOWS_TEST_POSTGRES is unset |");
            return met ? 0 : 1;
        }

        met &= await CompareAsync("PostgreSQL", PostgreSqlTarget, rounds, async round =>
        {
            var schema = "flows_bench_" + Guid.NewGuid().ToString("N")[..12];
            var floorSchema = schema + "_floor";
            try
            {
                await using var store = new PostgreSqlRunStore(new PostgreSqlRunStoreOptions { ConnectionString = postgres, Schema = schema });
                var engine = await MeasureAsync("PostgreSQL", store, taskRuns);
                var template = await StoreFloors.Template.ReadAsync(store, engine);
                var floor = await StoreFloors.PostgreSqlAsync(template, taskRuns, postgres, floorSchema);
                return (engine, floor);
            }
            finally
            {
                await using var connection = new NpgsqlConnection(postgres);
                await connection.OpenAsync();
                await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE; DROP SCHEMA IF EXISTS \"{floorSchema}\" CASCADE", connection);
                await drop.ExecuteNonQueryAsync();
            }
        });

        return met ? 0 : 1;
    }

    /// <summary>Measures engine and floor <paramref name="rounds"/> times, prints their medians, and says whether the engine met its target.</summary>
    private static async Task<bool> CompareAsync(string name, double target, int rounds, Func<int, Task<(double Engine, double Floor)>> round)
    {
        var results = new List<(double Engine, double Floor)>();
        for (var i = 0; i < rounds; i++)
        {
            results.Add(await round(i));
        }

        var engine = Median(results.Select(r => r.Engine));
        var floor = Median(results.Select(r => r.Floor));
        var fraction = engine / floor;
        var met = fraction >= target;
        var each = string.Join(", ", results.Select(r => $"{r.Engine.ToString("N0", CultureInfo.InvariantCulture)} / {r.Floor.ToString("N0", CultureInfo.InvariantCulture)}"));
        Console.WriteLine($"| {name,-10} | {engine,15:N0} | {floor,14:N0} | {fraction,14:P0} | {target,6:P0} | {each}{(met ? string.Empty : "  BELOW TARGET")}");
        return met;
    }

    /// <summary>Task runs per second through the engine into <paramref name="store"/>.</summary>
    private static async Task<double> MeasureAsync(string name, IRunStore store, int taskRuns)
    {
        await store.OpenAsync();
        await using var engine = new FlowEngine(new FlowEngineOptions { Store = store });
        using var scope = engine.Use();

        var clock = Stopwatch.StartNew();
        await StoreBench.Run(taskRuns);
        clock.Stop();

        // Every task run must be there: the last one created is the newest of the flow's task runs.
        var last = await store.QueryRunsAsync(new RunQuery { Kind = RunKind.Task, Name = "bench-store-step", Offset = taskRuns - 1, Limit = 2 });
        if (last.Count != 1)
        {
            throw new InvalidOperationException($"{name}: expected {taskRuns} task runs in the store.");
        }

        return taskRuns / clock.Elapsed.TotalSeconds;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}

/// <summary>The flow measured: a trivial task called many times in sequence.</summary>
public static class StoreBench
{
    [Task("bench-store-step")]
    public static int Step(int i) => i + 1;

    [Flow("bench-store-flow")]
    public static async Task<int> Run(int taskRuns)
    {
        await Task.Yield();
        var sum = 0;
        for (var i = 0; i < taskRuns; i++)
        {
            sum += Step(i) & 1;
        }

        return sum;
    }
}

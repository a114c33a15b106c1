using System.Diagnostics;
using System.Globalization;
using Flows.Stores;
using Npgsql;

namespace Flows.Benchmarks;

/// <summary>
/// Task runs recorded per second by each store: one flow calls a trivial task 100,000 times, and the clock stops when
/// the flow's end is written through (so every task run before it is in the store). Runs the in-memory, SQLite and,
/// when a connection string is given, PostgreSQL stores in one go.
/// <code>dotnet run -c Release --project bench/Flows.Sdk.Benchmarks -- store-throughput [--task-runs N] [--postgres "Host=..."]</code>
/// PostgreSQL comes from <c>--postgres</c> or <c>FLOWS_TEST_POSTGRES</c>; without either it is skipped with a note.
/// </summary>
public static class StoreThroughput
{
    public const string Command = "store-throughput";

    public static async Task<int> RunAsync(string[] args)
    {
        var taskRuns = int.Parse(Option(args, "--task-runs") ?? "100000", CultureInfo.InvariantCulture);
        var postgres = Option(args, "--postgres") ?? Environment.GetEnvironmentVariable("FLOWS_TEST_POSTGRES");
        Console.WriteLine($"Recording {taskRuns:N0} task runs in one flow, per store ({Environment.ProcessorCount} cores).");
        Console.WriteLine();
        Console.WriteLine("| store      | seconds | task runs / s |");
        Console.WriteLine("|------------|--------:|--------------:|");

        await MeasureAsync("in-memory", new InMemoryRunStore(), taskRuns);

        var folder = Directory.CreateTempSubdirectory("flows-bench-");
        try
        {
            await using var sqlite = new SqliteRunStore(Path.Combine(folder.FullName, "flows.db"));
            await MeasureAsync("SQLite", sqlite, taskRuns);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            folder.Delete(recursive: true);
        }

        if (string.IsNullOrWhiteSpace(postgres))
        {
            Console.WriteLine("| PostgreSQL | skipped: no --postgres argument and FLOWS_TEST_POSTGRES is unset |");
            return 0;
        }

        var schema = "flows_bench_" + Guid.NewGuid().ToString("N")[..12];
        try
        {
            await using var store = new PostgreSqlRunStore(new PostgreSqlRunStoreOptions { ConnectionString = postgres, Schema = schema });
            await MeasureAsync("PostgreSQL", store, taskRuns);
        }
        finally
        {
            await using var connection = new NpgsqlConnection(postgres);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE", connection);
            await drop.ExecuteNonQueryAsync();
        }

        return 0;
    }

    private static async Task MeasureAsync(string name, IRunStore store, int taskRuns)
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

        Console.WriteLine($"| {name,-10} | {clock.Elapsed.TotalSeconds,7:0.00} | {taskRuns / clock.Elapsed.TotalSeconds,13:N0} |");
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

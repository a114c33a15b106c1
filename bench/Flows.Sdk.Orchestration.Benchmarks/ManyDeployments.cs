using System.Diagnostics;
using Microsoft.Extensions.Hosting;

namespace Flows.Orchestration.Benchmarks;

/// <summary>
/// A host with <c>--deployments</c> deployments (each a daily cron of a flow that does nothing, with a parameter-free
/// definition): start-up time on a fresh SQLite home (every deployment created), a second start on the same home with
/// nothing changed (every deployment left alone), and memory after each start (working set, and the GC heap after a
/// full collection), against the same host with no deployments. With <c>--postgres</c> the same on a fresh database.
/// <code>dotnet run -c Release --project bench/Flows.Sdk.Orchestration.Benchmarks -- many-deployments [--deployments 1000] [--postgres "Host=..."]</code>
/// </summary>
internal static class ManyDeployments
{
    public const string Command = "many-deployments";

    public static async Task<int> RunAsync(string[] args)
    {
        var count = BenchArgs.Int(args, "--deployments", 1000);
        var postgres = BenchArgs.Option(args, "--postgres");
        Console.WriteLine($"{count:N0} deployments ({Environment.ProcessorCount} cores, load average {BenchArgs.LoadAverage()}).");
        Console.WriteLine();
        Console.WriteLine("| store | deployments | start | start-up ms | working set MB | GC heap MB |");
        Console.WriteLine("|---|---:|---|---:|---:|---:|");
        foreach (var deployments in new[] { 0, count })
        {
            var home = Directory.CreateTempSubdirectory("flows-bench-many-");
            string? database = null;
            Func<Task>? drop = null;
            if (postgres is not null)
            {
                (database, drop) = await BenchHost.NewDatabaseAsync(postgres);
            }

            try
            {
                foreach (var start in new[] { "first", "unchanged" })
                {
                    Console.WriteLine(await MeasureAsync(postgres is null ? "SQLite" : "PostgreSQL", home.FullName, database, deployments, start));
                }
            }
            finally
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                home.Delete(recursive: true);
                if (drop is not null)
                {
                    await drop();
                }
            }
        }

        return 0;
    }

    private static async Task<string> MeasureAsync(string store, string home, string? postgres, int deployments, string start)
    {
        using var host = BenchHost.Build(home, postgres, o =>
        {
            for (var i = 0; i < deployments; i++)
            {
                o.Deploy($"deployment-{i:D4}", "bench-noop", d => d.Cron($"{i % 60} {i / 60 % 24} * * *", "America/New_York"));
            }
        });
        var watch = Stopwatch.StartNew();
        await host.StartAsync();
        watch.Stop();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        var heap = GC.GetTotalMemory(forceFullCollection: true);
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var line = $"| {store} | {deployments:N0} | {start} | {watch.Elapsed.TotalMilliseconds:N0} | {process.WorkingSet64 / 1048576.0:N0} | {heap / 1048576.0:N1} |";
        await host.StopAsync();
        return line;
    }
}

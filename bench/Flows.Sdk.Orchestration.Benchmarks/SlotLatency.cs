using Flows.Runs;
using Flows.Stores;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Flows.Orchestration.Benchmarks;

/// <summary>
/// Slot-to-start latency: a host with one deployment firing every second (<c>* * * * * *</c>) of a flow that does
/// nothing, on SQLite (a fresh FLOWS_HOME) and on PostgreSQL (a fresh database); for each of <c>--slots</c> slots,
/// the run's <c>StartedAt</c> minus its slot. Prints p50, p99 and max per store.
/// <code>dotnet run -c Release --project bench/Flows.Sdk.Orchestration.Benchmarks -- slot-latency [--slots 60] [--postgres "Host=..."]</code>
/// </summary>
internal static class SlotLatency
{
    public const string Command = "slot-latency";

    public static async Task<int> RunAsync(string[] args)
    {
        var slots = BenchArgs.Int(args, "--slots", 60);
        var postgres = BenchArgs.Option(args, "--postgres") ?? Environment.GetEnvironmentVariable("FLOWS_TEST_POSTGRES");
        Console.WriteLine($"{slots} one-second slots per store ({Environment.ProcessorCount} cores, load average {BenchArgs.LoadAverage()}).");
        Console.WriteLine();
        Console.WriteLine("| store | slots | p50 ms | p99 ms | max ms | Late |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        var home = Directory.CreateTempSubdirectory("flows-bench-latency-");
        try
        {
            Console.WriteLine(await MeasureAsync("SQLite", home.FullName, null, slots));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            home.Delete(recursive: true);
        }

        if (!string.IsNullOrWhiteSpace(postgres))
        {
            var (database, drop) = await BenchHost.NewDatabaseAsync(postgres);
            try
            {
                Console.WriteLine(await MeasureAsync("PostgreSQL", Path.GetTempPath(), database, slots));
            }
            finally
            {
                await drop();
            }
        }
        else
        {
            Console.WriteLine("| PostgreSQL | skipped: no --postgres and FLOWS_TEST_POSTGRES is unset |");
        }

        return 0;
    }

    private static async Task<string> MeasureAsync(string name, string home, string? postgres, int slots)
    {
        using var host = BenchHost.Build(home, postgres, o => o.Deploy("every-second", "bench-noop", d => d.Cron("* * * * * *")));
        await host.StartAsync();
        var store = host.Services.GetRequiredService<FlowEngine>().Store;
        var started = DateTimeOffset.UtcNow;
        IReadOnlyList<RunRecord> runs = [];
        // Count only slots after start-up, so the figure is the steady state; wait for slots + 1 (the first may straddle start).
        while ((runs = (await store.QueryRunsAsync(new RunQuery { Deployment = "every-second", Kind = RunKind.Flow, Limit = 10_000 }))
                   .Where(r => r.ScheduledFor > started && r.State.IsFinal()).ToList()).Count < slots)
        {
            await Task.Delay(250);
        }

        await host.StopAsync();
        var latencies = runs.Select(r => (r.StartedAt!.Value - r.ScheduledFor!.Value).TotalMilliseconds).Order().ToList();
        var late = 0;
        foreach (var run in runs)
        {
            late += (await store.GetTransitionsAsync(run.Id)).Any(t => t.State == RunState.Late) ? 1 : 0;
        }

        return $"| {name} | {latencies.Count} | {BenchArgs.Percentile(latencies, 0.50):N1} | {BenchArgs.Percentile(latencies, 0.99):N1} | {latencies[^1]:N1} | {late} |";
    }
}

using System.Diagnostics;
using Flows.Runs;
using Flows.Stores;
using Flows.Stores.Sqlite;
using Flows.Stores.PostgreSql;

namespace Flows.Dashboard.Benchmarks;

/// <summary>
/// A big history for the runs page to list: flow runs spread evenly over the last 30 days, 20 flows, a third from one of
/// 5 deployments, mostly Completed with some Failed, Cancelled, Crashed and TimedOut, one in ten tagged "nightly",
/// durations from 0.1 s to 10 min. Written through the store's own batched writes, and reused while its marker says so.
/// </summary>
internal static class BenchHistory
{
    public static readonly TimeSpan Span = TimeSpan.FromDays(30);

    /// <summary>The store the mode measures: SQLite at <c>--db</c>, or PostgreSQL with <c>--postgres</c> (schema flows_bench).</summary>
    public static IRunStore Open(string[] args) => BenchArgs.Option(args, "--postgres") is { } postgres
        ? new PostgreSqlRunStore(new PostgreSqlRunStoreOptions { ConnectionString = postgres, Schema = "flows_bench" })
        : new SqliteRunStore(BenchArgs.Option(args, "--db") ?? "/tmp/flows-bench-1m.db");

    /// <summary>Seeds <paramref name="runs"/> runs ending now unless the marker says this store has them; returns when they end.</summary>
    public static async Task EnsureAsync(IRunStore store, string[] args, int runs)
    {
        var marker = (BenchArgs.Option(args, "--postgres") is null ? BenchArgs.Option(args, "--db") ?? "/tmp/flows-bench-1m.db" : "/tmp/flows-bench-postgres") + ".seeded";
        if (File.Exists(marker) && File.ReadAllText(marker).Trim() == runs.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            Console.WriteLine($"history: {runs:N0} runs already seeded (delete {marker} to seed again)");
            return;
        }

        await store.OpenAsync();
        var end = DateTimeOffset.UtcNow;
        var random = new Random(15);
        var clock = Stopwatch.StartNew();
        const int Batch = 5000;
        for (var written = 0; written < runs; written += Batch)
        {
            var count = Math.Min(Batch, runs - written);
            var batch = new RunRecord[count];
            for (var i = 0; i < count; i++)
            {
                // Oldest first, so the sequence follows creation time as it does in a real store.
                var n = written + i;
                var created = end - Span + (Span * ((double)n / runs));
                var duration = TimeSpan.FromMilliseconds(100 + (random.NextDouble() * random.NextDouble() * 600_000));
                var roll = random.Next(1000);
                var state = roll switch { < 50 => RunState.Failed, < 70 => RunState.Cancelled, < 80 => RunState.Crashed, < 90 => RunState.TimedOut, _ => RunState.Completed };
                batch[i] = new RunRecord
                {
                    Id = Guid.CreateVersion7(created),
                    Kind = RunKind.Flow,
                    Name = $"flow-{random.Next(20):00}",
                    State = state,
                    Attempt = 1,
                    CreatedAt = created,
                    StartedAt = created,
                    EndedAt = created + duration,
                    Deployment = random.Next(3) == 0 ? $"deployment-{random.Next(5)}" : null,
                    Tags = random.Next(10) == 0 ? ["nightly", "team-a"] : ["team-b"],
                    Parameters = """{"region":"ohio"}""",
                };
            }

            await store.WriteAsync(new RunWriteBatch { Runs = batch });
            if ((written / Batch) % 20 == 0)
            {
                Console.WriteLine($"  seeded {written + count:N0} runs, {clock.Elapsed.TotalSeconds:0} s");
            }
        }

        await File.WriteAllTextAsync(marker, runs.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Console.WriteLine($"history: seeded {runs:N0} runs over {Span.TotalDays:0} days in {clock.Elapsed.TotalSeconds:0.0} s");
    }
}

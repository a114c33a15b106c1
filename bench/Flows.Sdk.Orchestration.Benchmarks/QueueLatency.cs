using System.Collections.Concurrent;
using System.Diagnostics;
using Flows.Runs;
using Flows.Stores;
using Flows.Stores.PostgreSql;

namespace Flows.Orchestration.Benchmarks;

/// <summary>
/// Queued runs on a cluster: three replica processes (tests/Flows.Sdk.ClusterHelper, built beside this project) on a
/// fresh PostgreSQL database, and a fourth process that enqueues (the helper as a client, through IFlowClient).
/// <list type="bullet">
/// <item><c>queue-latency</c>: <c>--runs</c> runs of a flow that returns at once, enqueued one at a time on an idle
/// cluster (each after the previous one has ended, then a pause of 0.2-1 s), start latency = the run's <c>StartedAt</c>
/// minus its <c>CreatedAt</c> (recorded Scheduled by the enqueuer): p50, p99, max.</item>
/// <item><c>queue-throughput</c>: <c>--runs</c> runs enqueued at once; runs per second from the first enqueue to the last
/// run's end, and the same start latency (which is then mostly time spent waiting in the queue).</item>
/// </list>
/// <code>dotnet build -c Release tests/Flows.Sdk.ClusterHelper
/// dotnet run -c Release --project bench/Flows.Sdk.Orchestration.Benchmarks -- queue-latency [--runs 100] [--postgres "Host=..."]
/// dotnet run -c Release --project bench/Flows.Sdk.Orchestration.Benchmarks -- queue-throughput [--runs 1000] [--postgres "Host=..."]</code>
/// </summary>
internal static class QueueLatency
{
    public const string Command = "queue-latency";
    public const string ThroughputCommand = "queue-throughput";

    private const int Replicas = 3;

    public static async Task<int> RunAsync(string[] args)
    {
        var throughput = args[0] == ThroughputCommand;
        var runs = BenchArgs.Int(args, "--runs", throughput ? 1000 : 100);
        var postgres = BenchArgs.Option(args, "--postgres") ?? Environment.GetEnvironmentVariable("FLOWS_TEST_POSTGRES");
        if (string.IsNullOrWhiteSpace(postgres))
        {
            Console.Error.WriteLine("queue benchmarks need PostgreSQL: --postgres \"Host=...\" or FLOWS_TEST_POSTGRES");
            return 2;
        }

        var (database, drop) = await BenchHost.NewDatabaseAsync(postgres);
        var processes = new List<Child>();
        try
        {
            var settings = new Dictionary<string, string>
            {
                ["Flows:Store:ConnectionString"] = database,
                ["Flows:Orchestration:Application"] = "bench-cluster",
            };
            processes.AddRange(Enumerable.Range(1, Replicas).Select(i => Child.Start($"r{i}", settings)));
            var client = Child.Start("client", new Dictionary<string, string>(settings) { ["Helper:Mode"] = "client" });
            processes.Add(client);
            await Task.WhenAll(processes.Select(p => p.Ready)).WaitAsync(TimeSpan.FromMinutes(2));
            await using var store = new PostgreSqlRunStore(new PostgreSqlRunStoreOptions { ConnectionString = database });

            Console.WriteLine($"{(throughput ? ThroughputCommand : Command)}: {runs} runs, {Replicas} replica processes + 1 enqueuing process on PostgreSQL ({Environment.ProcessorCount} cores, load average {BenchArgs.LoadAverage()}).");
            Console.WriteLine();
            var clock = Stopwatch.StartNew();
            var ids = throughput ? await client.EnqueueAsync(runs) : await OneAtATimeAsync(client, store, runs);
            var ended = await EndedAsync(store, ids);
            var elapsed = clock.Elapsed;
            var latencies = ended.Select(r => (r.StartedAt!.Value - r.CreatedAt).TotalMilliseconds).Order().ToList();
            var first = ended.Min(r => r.CreatedAt);
            var last = ended.Max(r => r.EndedAt!.Value);
            Console.WriteLine("| mode | runs | completed | start p50 ms | p99 ms | max ms | runs/s |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
            Console.WriteLine($"| {(throughput ? "burst" : "one at a time, idle")} | {runs} | {ended.Count(r => r.State == RunState.Completed)} | "
                + $"{BenchArgs.Percentile(latencies, 0.50):N1} | {BenchArgs.Percentile(latencies, 0.99):N1} | {latencies[^1]:N1} | "
                + $"{(throughput ? (runs / (last - first).TotalSeconds).ToString("N0", System.Globalization.CultureInfo.InvariantCulture) : "-")} |");
            Console.WriteLine();
            Console.WriteLine($"(measured in {elapsed.TotalSeconds:N0} s; per replica: "
                + string.Join(", ", ended.GroupBy(r => System.Text.Json.JsonSerializer.Deserialize<string>(r.Result!)!.Split(' ')[0]).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}")) + ")");
            return 0;
        }
        finally
        {
            foreach (var process in processes)
            {
                await process.DisposeAsync();
            }

            await drop();
        }
    }

    /// <summary>Enqueues one run at a time: the next once the last has ended and a pause of 0.2-1 s has passed, so the cluster is idle at each enqueue.</summary>
    private static async Task<List<Guid>> OneAtATimeAsync(Child client, IRunStore store, int runs)
    {
        var ids = new List<Guid>();
        for (var i = 0; i < runs; i++)
        {
            var id = (await client.EnqueueAsync(1)).Single();
            ids.Add(id);
            await EndedAsync(store, [id]);
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(200, 1000)));
        }

        return ids;
    }

    private static async Task<IReadOnlyList<RunRecord>> EndedAsync(IRunStore store, IReadOnlyCollection<Guid> ids)
    {
        var wanted = ids.ToHashSet();
        var limit = Stopwatch.StartNew();
        while (true)
        {
            List<RunRecord> ended = ids.Count == 1
                ? [.. new[] { await store.GetRunAsync(ids.First()) }.OfType<RunRecord>().Where(r => r.State.IsFinal())]
                : [.. (await store.QueryRunsAsync(new RunQuery { Name = "cluster-quick", Kind = RunKind.Flow, Limit = 100_000 })).Where(r => wanted.Contains(r.Id) && r.State.IsFinal())];
            if (ended.Count == ids.Count)
            {
                return ended;
            }

            if (limit.Elapsed > TimeSpan.FromMinutes(5))
            {
                throw new TimeoutException($"{ids.Count - ended.Count} of {ids.Count} runs had not ended after 5 minutes.");
            }

            await Task.Delay(ids.Count == 1 ? 5 : 250);
        }
    }

    /// <summary>A Flows.Sdk.ClusterHelper process: a replica, or the client that enqueues.</summary>
    private sealed class Child : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly ConcurrentQueue<string> _lines = new();
        private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private Child(Process process)
        {
            _process = process;
            _process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is { } line)
                {
                    _lines.Enqueue(line);
                    if (line == "READY")
                    {
                        _ready.TrySetResult();
                    }
                }
            };
            _process.Exited += (_, _) => _ready.TrySetException(new InvalidOperationException("a helper exited before it was ready:\n" + string.Join('\n', _lines)));
        }

        public Task Ready => _ready.Task;

        public static Child Start(string name, IReadOnlyDictionary<string, string> settings)
        {
            // Built beside this project (same configuration): bench/<this>/bin/... -> tests/Flows.Sdk.ClusterHelper/bin/...
            var helper = Path.Combine(
                AppContext.BaseDirectory.Replace(Path.Combine("bench", "Flows.Sdk.Orchestration.Benchmarks"), Path.Combine("tests", "Flows.Sdk.ClusterHelper"), StringComparison.Ordinal),
                "Flows.Sdk.ClusterHelper.dll");
            if (!File.Exists(helper))
            {
                throw new FileNotFoundException($"Build the helper first: dotnet build -c Release tests/Flows.Sdk.ClusterHelper (looked for {helper}).");
            }

            var info = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
            info.ArgumentList.Add(helper);
            foreach (var (key, value) in new Dictionary<string, string>(settings) { ["Helper:Name"] = name })
            {
                info.ArgumentList.Add("--" + key);
                info.ArgumentList.Add(value);
            }

            var process = new Process { StartInfo = info, EnableRaisingEvents = true };
            var child = new Child(process);
            process.Start();
            process.BeginOutputReadLine();
            return child;
        }

        /// <summary>Enqueues <paramref name="count"/> runs of <c>cluster-quick</c>; returns their ids once all are enqueued.</summary>
        public async Task<List<Guid>> EnqueueAsync(int count)
        {
            var before = Answers("ENQUEUED").Count;
            await _process.StandardInput.WriteLineAsync($"enqueue cluster-quick {count}");
            await _process.StandardInput.FlushAsync();
            while (Answers("ENQUEUED").Count < before + count)
            {
                if (Answers("ERROR").FirstOrDefault() is { } error)
                {
                    throw new InvalidOperationException(error);
                }

                await Task.Delay(1);
            }

            return [.. Answers("ENQUEUED").Skip(before).Select(l => Guid.Parse(l[9..]))];
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                await _process.StandardInput.WriteLineAsync("stop");
                await _process.StandardInput.FlushAsync();
                using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                try
                {
                    await _process.WaitForExitAsync(limit.Token);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill(entireProcessTree: true);
                }
            }

            _process.Dispose();
        }

        private List<string> Answers(string kind) => [.. _lines.Where(l => l.StartsWith(kind + " ", StringComparison.Ordinal))];
    }
}

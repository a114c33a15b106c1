using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Flows.Runs;
using Flows.Stores;

namespace Flows.Dashboard.Benchmarks;

/// <summary>
/// The store load of open runs pages: <c>--pages</c> simulated pages each load the page, then poll its live regions
/// every 2 s as its script does (If-None-Match with the last ETag, 304 when unchanged), for <c>--seconds</c>, while a
/// run is recorded every second; once with query sharing off and once on (1 s). Counts the queries the dashboard asks
/// of the store (a counting decorator) and reports them per second.
/// </summary>
internal static class StoreLoad
{
    public const string Command = "store-load";

    private static readonly string[] Regions = ["counts", "list"];

    public static async Task<int> RunAsync(string[] args)
    {
        var pages = BenchArgs.Int(args, "--pages", 20);
        var seconds = BenchArgs.Int(args, "--seconds", 30);
        var runs = BenchArgs.Int(args, "--runs", 1_000_000);
        var inner = BenchHistory.Open(args);
        await BenchHistory.EnsureAsync(inner, args, runs);
        var store = new CountingStore(inner);
        Console.WriteLine($"store load over {inner}: {runs:N0} runs, {pages} pages polling {string.Join(" and ", Regions)} every 2 s for {seconds} s, a run recorded every second, load average {BenchArgs.LoadAverage()}");
        Console.WriteLine($"{"sharing",-8} {"queries/s",10} {"requests/s",11} {"304 share",10} {"poll p50 ms",12} {"poll p95 ms",12}  queries by method");
        foreach (var sharing in new[] { TimeSpan.Zero, TimeSpan.FromSeconds(1) })
        {
            await using var dashboard = await BenchDashboard.StartAsync(store, sharing);
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1000 }) { Timeout = TimeSpan.FromMinutes(1) };
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
            store.Reset();
            var results = new ConcurrentBag<(HttpStatusCode Status, double Milliseconds)>();
            var clock = Stopwatch.StartNew();
            var writer = RecordRunsAsync(inner, stop.Token);
            await Task.WhenAll(Enumerable.Range(0, pages).Select(i => PageAsync(http, dashboard.Url, TimeSpan.FromMilliseconds(2000.0 * i / pages), results, stop.Token)));
            await writer;
            var elapsed = clock.Elapsed.TotalSeconds;
            var polls = results.Select(r => r.Milliseconds).Order().ToList();
            var queries = store.Queries.Values.Sum();
            Console.WriteLine(
                $"{(sharing == TimeSpan.Zero ? "off" : "on (1 s)"),-8} {queries / elapsed,10:0.0} {results.Count / elapsed,11:0.0} {results.Count(r => r.Status == HttpStatusCode.NotModified) / (double)Math.Max(1, results.Count),10:P0} "
                + $"{BenchArgs.Percentile(polls, 0.5),12:0.0} {BenchArgs.Percentile(polls, 0.95),12:0.0}  {string.Join(", ", store.Queries.OrderBy(q => q.Key).Select(q => $"{q.Key} {q.Value}"))}");
        }

        return 0;
    }

    /// <summary>One open page: loaded once, then its regions asked for every 2 s with their last ETags.</summary>
    private static async Task PageAsync(HttpClient http, string url, TimeSpan offset, ConcurrentBag<(HttpStatusCode, double)> results, CancellationToken stop)
    {
        var etags = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        try
        {
            await Task.Delay(offset, stop);
            (await http.GetAsync(url + "/", stop)).Dispose();
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(2));
            while (await timer.WaitForNextTickAsync(stop))
            {
                await Task.WhenAll(Regions.Select(async region =>
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, $"{url}/?_live={region}");
                    if (etags.TryGetValue(region, out var etag))
                    {
                        request.Headers.TryAddWithoutValidation("If-None-Match", etag);
                    }

                    var clock = Stopwatch.StartNew();
                    using var response = await http.SendAsync(request, stop);
                    await response.Content.ReadAsStringAsync(stop);
                    results.Add((response.StatusCode, clock.Elapsed.TotalMilliseconds));
                    if (response.Headers.ETag is { } fresh)
                    {
                        etags[region] = fresh.ToString();
                    }
                }));
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The measured time is over.
        }
    }

    /// <summary>Records a completed run every second, so the regions do change.</summary>
    private static async Task RecordRunsAsync(IRunStore store, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var now = DateTimeOffset.UtcNow;
                await store.WriteAsync(new RunWriteBatch
                {
                    Runs = [new RunRecord { Id = Guid.CreateVersion7(), Kind = RunKind.Flow, Name = "flow-live", State = RunState.Completed, CreatedAt = now, StartedAt = now, EndedAt = now.AddMilliseconds(300) }],
                }, CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The measured time is over.
        }
    }
}

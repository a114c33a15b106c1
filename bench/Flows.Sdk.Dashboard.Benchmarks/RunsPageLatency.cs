using System.Diagnostics;
using System.Net;

namespace Flows.Dashboard.Benchmarks;

/// <summary>
/// How long the runs page takes to answer with a big history: GET over real HTTP (Kestrel on loopback) of the default
/// page and of filtered ones, query sharing off so every request asks the store, untimed warm-up requests then
/// <c>--requests</c> timed ones each, sequentially; p50, p95 and max.
/// </summary>
internal static class RunsPageLatency
{
    public const string Command = "runs-page";

    // The long windows add up 7 and 30 times the default's runs: timed with a fifth of the requests (at least 10).
    private static readonly (string Name, string Query, bool Long)[] Pages =
    [
        ("default (last 24 h)", "/", false),
        ("state=Failed", "/?state=Failed", false),
        ("flow=flow-07", "/?flow=flow-07", false),
        ("tag=nightly", "/?tag=nightly", false),
        ("deployment + state", "/?deployment=deployment-2&state=Completed", false),
        ("live list region", "/?_live=list", false),
        ("live counts region", "/?_live=counts", false),
        ("window=7d", "/?window=7d", true),
        ("window=30d", "/?window=30d", true),
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        var runs = BenchArgs.Int(args, "--runs", 1_000_000);
        var requests = BenchArgs.Int(args, "--requests", 60);

        // Enough untimed requests for the runtime to have compiled the hot paths with full optimisation, as in a server up for a while.
        var warmUp = BenchArgs.Int(args, "--warm-up", 20);
        var store = BenchHistory.Open(args);
        await BenchHistory.EnsureAsync(store, args, runs);
        await using var dashboard = await BenchDashboard.StartAsync(store, TimeSpan.Zero);
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        Console.WriteLine($"runs page over {store}: {runs:N0} runs, {requests} timed requests each after {warmUp} warm-up, query sharing off, load average {BenchArgs.LoadAverage()}");
        Console.WriteLine($"{"page",-22} {"p50 ms",8} {"p95 ms",8} {"max ms",8} {"bytes",8} {"requests",9}");
        foreach (var (name, query, isLong) in Pages)
        {
            var timings = new List<double>();
            var bytes = 0;
            var timed = isLong ? Math.Max(10, requests / 5) : requests;
            for (var i = 0; i < timed + warmUp; i++)
            {
                var clock = Stopwatch.StartNew();
                using var response = await http.GetAsync(dashboard.Url + query);
                var body = await response.Content.ReadAsStringAsync();
                clock.Stop();
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    Console.Error.WriteLine($"{name}: {(int)response.StatusCode} {body[..Math.Min(300, body.Length)]}");
                    return 1;
                }

                bytes = body.Length;
                if (i >= warmUp)
                {
                    timings.Add(clock.Elapsed.TotalMilliseconds);
                }
            }

            timings.Sort();
            Console.WriteLine($"{name,-22} {BenchArgs.Percentile(timings, 0.5),8:0.0} {BenchArgs.Percentile(timings, 0.95),8:0.0} {timings[^1],8:0.0} {bytes,8} {timed,9}");
        }

        return 0;
    }
}

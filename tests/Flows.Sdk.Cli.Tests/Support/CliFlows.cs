using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Flows.Cli.Tests.Support;

/// <summary>
/// The flows only the in-process tests need; the ones the helper application has too (cli-greet, cli-fail, cli-slow,
/// cli-map, cli-secret) are its HelperFlows, compiled into this project as well.
/// </summary>
public sealed class CliFlows
{
    /// <summary>Gates <c>cli-gated</c> runs wait on, by name: a test opens one to let its run end.</summary>
    public static readonly ConcurrentDictionary<string, TaskCompletionSource> Gates = new();

    /// <summary>Lets the <c>cli-gated</c> runs waiting on <paramref name="gate"/> (or about to) end.</summary>
    public static void Open(string gate) =>
        Gates.GetOrAdd(gate, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Squares 3, 4 and 3 again (a cache hit), retries a flaky step once, attaches a report and warns.</summary>
    [Flow("cli-report")]
    public async Task<int> Report(string title)
    {
        var total = await SquareCached(3) + await SquareCached(4) + await SquareCached(3);
        await Flaky(title);
        Flow.Artifacts.Markdown("summary", $"# {title}\n\ntotal {total}", "The report's summary");
        Flow.Logger.LogWarning("Report {Title} is {Total}", title, total);
        return total;
    }

    [Task("cli-square-cached", CacheExpirationSeconds = 3600)]
    public Task<int> SquareCached(int n) => Task.FromResult(n * n);

    /// <summary>Fails its first attempt for each title, then succeeds.</summary>
    [Task("cli-flaky", Retries = 1, RetryDelaySeconds = 0)]
    public Task Flaky(string title)
    {
        lock (FlakyTitles)
        {
            return FlakyTitles.Add(title) ? throw new TimeoutException($"{title} flaked") : Task.CompletedTask;
        }
    }

    private static readonly HashSet<string> FlakyTitles = [];

    /// <summary>Logs "waiting", then waits for its gate (or its token), logs "released" and returns.</summary>
    [Flow("cli-gated")]
    public async Task<string> Gated(string gate, CancellationToken cancellationToken = default)
    {
        Flow.Logger.LogInformation("waiting for {Gate}", gate);
        await Gates.GetOrAdd(gate, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task.WaitAsync(cancellationToken);
        Flow.Logger.LogInformation("released {Gate}", gate);
        return gate;
    }

    /// <summary>Echoes parameters of several types, to see how command-line values are read.</summary>
    [Flow("cli-typed")]
    public Task<string> Typed(string[] states, int count, bool dryRun = false, DateTimeOffset? since = null, string note = "none") =>
        Task.FromResult($"{string.Join('+', states)}|{count}|{dryRun}|{since?.ToUniversalTime():O}|{note}");

    /// <summary>Uses the secret cli-api-key: logs it, attaches it and fails with it in its message (all masked).</summary>
    [Flow("cli-secret-fail")]
    public Task<int> UseSecretAndFail(string label, [Secret("cli-api-key")] string apiKey = "")
    {
        Flow.Logger.LogInformation("{Label} uses key {Key}", label, apiKey);
        Flow.Artifacts.Markdown("key", $"key is {apiKey}");
        throw new InvalidOperationException($"{label} refused key {apiKey}");
    }

    /// <summary>Squares <paramref name="n"/> through the cached task, then fails while <paramref name="blocker"/> exists: a run to retry once it is gone.</summary>
    [Flow("cli-fragile")]
    public async Task<int> Fragile(int n, string blocker)
    {
        var square = await new Flows.CliHelper.HelperFlows().Square(n);
        return File.Exists(blocker) ? throw new IOException($"{blocker} is in the way") : square;
    }
}

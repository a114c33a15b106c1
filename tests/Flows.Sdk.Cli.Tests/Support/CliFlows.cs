using Microsoft.Extensions.Logging;

namespace Flows.Cli.Tests.Support;

/// <summary>The flows the test application has.</summary>
public sealed class CliFlows
{
    [Flow("cli-greet", Description = "Says hello to someone")]
    public async Task<string> Greet(string name, int times = 1)
    {
        var line = await Hello(name);
        Flow.Logger.LogInformation("Greeted {Name} {Times} times", name, times);
        return string.Concat(Enumerable.Repeat(line, times));
    }

    [Task("cli-hello")]
    public Task<string> Hello(string name) => Task.FromResult($"Hello {name}. ");

    [Flow("cli-fail")]
    public Task Fail(string reason) => throw new InvalidOperationException(reason);

    /// <summary>Squares 1..<paramref name="count"/> through a cached task, at most 4 at once.</summary>
    [Flow("cli-map")]
    public async Task<int> Map(int count)
    {
        var squares = await Flow.Map(Enumerable.Range(1, count).ToArray(), n => Square(n), maxConcurrency: 4);
        return squares.Sum();
    }

    [Task("cli-square", CacheExpirationSeconds = 3600)]
    public Task<int> Square(int n) => Task.FromResult(n * n);

    /// <summary>Uses the secret cli-api-key and logs it (masked).</summary>
    [Flow("cli-secret")]
    public Task<int> UseSecret(string label, [Secret("cli-api-key")] string apiKey = "")
    {
        Flow.Logger.LogInformation("{Label} uses key {Key}", label, apiKey);
        return Task.FromResult(apiKey.Length);
    }

    /// <summary>Echoes parameters of several types, to see how command-line values are read.</summary>
    [Flow("cli-typed")]
    public Task<string> Typed(string[] states, int count, bool dryRun = false, DateTimeOffset? since = null, string note = "none") =>
        Task.FromResult($"{string.Join('+', states)}|{count}|{dryRun}|{since?.ToUniversalTime():O}|{note}");

    /// <summary>Squares <paramref name="n"/> through the cached task, then fails while <paramref name="blocker"/> exists: a run to retry once it is gone.</summary>
    [Flow("cli-fragile")]
    public async Task<int> Fragile(int n, string blocker)
    {
        var square = await Square(n);
        return File.Exists(blocker) ? throw new IOException($"{blocker} is in the way") : square;
    }
}

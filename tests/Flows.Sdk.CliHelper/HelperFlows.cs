using Microsoft.Extensions.Logging;

namespace Flows.CliHelper;

/// <summary>The helper application's flows.</summary>
public sealed class HelperFlows
{
    /// <summary>Greets <paramref name="name"/> through a task, <paramref name="times"/> times.</summary>
    [Flow("cli-greet", Description = "Says hello to someone")]
    public async Task<string> Greet(string name, int times = 1)
    {
        var line = await Hello(name);
        Flow.Logger.LogInformation("Greeted {Name} {Times} times", name, times);
        return string.Concat(Enumerable.Repeat(line, times));
    }

    [Task("cli-hello")]
    public Task<string> Hello(string name) => Task.FromResult($"Hello {name}. ");

    /// <summary>Fails with <paramref name="reason"/>.</summary>
    [Flow("cli-fail")]
    public Task Fail(string reason) => throw new InvalidOperationException(reason);

    /// <summary>
    /// Logs "working" and then a line every 100 ms until <paramref name="seconds"/> have passed or it is cancelled:
    /// a run to watch, follow and cancel from another process.
    /// </summary>
    [Flow("cli-slow")]
    public async Task<int> Slow(int seconds, CancellationToken cancellationToken = default)
    {
        Flow.Logger.LogInformation("working");
        var ticks = 0;
        var end = DateTimeOffset.UtcNow.AddSeconds(seconds);
        while (DateTimeOffset.UtcNow < end)
        {
            await Tick(++ticks, cancellationToken);
        }

        return ticks;
    }

    [Task("cli-tick")]
    public async Task Tick(int tick, CancellationToken cancellationToken)
    {
        Flow.Logger.LogInformation("tick {Tick}", tick);
        await Task.Delay(100, cancellationToken);
    }

    /// <summary>Squares 1..<paramref name="count"/> through a task, at most 4 at once.</summary>
    [Flow("cli-map")]
    public async Task<int> Map(int count)
    {
        var squares = await Flow.Map(Enumerable.Range(1, count).ToArray(), n => Square(n), maxConcurrency: 4);
        return squares.Sum();
    }

    [Task("cli-square", CacheExpirationSeconds = 3600)]
    public async Task<int> Square(int n)
    {
        await Task.Yield();
        return n * n;
    }

    /// <summary>Uses the secret cli-api-key (environment variable CLI_API_KEY) and logs it, masked.</summary>
    [Flow("cli-secret")]
    public Task<int> UseSecret(string label, [Secret("cli-api-key")] string apiKey = "")
    {
        Flow.Logger.LogInformation("{Label} uses key {Key}", label, apiKey);
        return Task.FromResult(apiKey.Length);
    }
}

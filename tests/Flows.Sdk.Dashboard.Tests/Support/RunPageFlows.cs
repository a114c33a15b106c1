using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Flows.Dashboard.Tests.Support;

/// <summary>The flows the run page's tests look at: artifacts of every kind, a task retried once, a secret parameter.</summary>
public sealed class RunPageFlows
{
    /// <summary>The secret <c>dash-secret</c> reads (set as <c>Secrets:dash-api-key</c> in the app's configuration).</summary>
    public const string SecretName = "dash-api-key";

    private static readonly ConcurrentDictionary<string, int> Attempts = new();

    /// <summary>Attaches a markdown report (with markup that must stay inert and a link that must not become one), a table and a link.</summary>
    [Flow("dash-artifacts")]
    public Task Artifacts()
    {
        Flow.Artifacts.Markdown(
            "report",
            "# Quarterly report\n\nLoaded **12** rows. <script>window.flowsInjected = true;</script>\n\n"
            + "[the docs](https://example.com/docs) and [a trap](javascript:window.flowsInjected=true)\n\n| region | total |\n| --- | --- |\n| east | 3 |\n",
            "What the load did");
        Flow.Artifacts.Table("loaded", new[] { new { Region = "north", Total = 12 }, new { Region = "south", Total = 7 } });
        Flow.Artifacts.Link("dashboard", new Uri("https://example.com/report?id=7"));
        return Task.CompletedTask;
    }

    /// <summary>Runs <c>dash-flaky</c>, whose first attempt fails and whose second, after a short delay, completes.</summary>
    [Flow("dash-retrying")]
    public async Task Retrying(string key) => await Flaky(key);

    [Task("dash-flaky", Retries = 1, RetryDelaySeconds = 0.3)]
    public Task Flaky(string key) =>
        Attempts.AddOrUpdate(key, 1, (_, n) => n + 1) == 1 ? throw new TimeoutException($"{key}: the first attempt times out") : Task.CompletedTask;

    /// <summary>A wide run: <paramref name="tasks"/> task runs, each logging <paramref name="lines"/> lines.</summary>
    [Flow("dash-wide")]
    public async Task Wide(int tasks, int lines)
    {
        for (var i = 0; i < tasks; i++)
        {
            await Chatty(i, lines);
        }
    }

    [Task("dash-chatty")]
    public Task Chatty(int index, int lines)
    {
        for (var i = 0; i < lines; i++)
        {
            Flow.Logger.LogInformation("Task {Index} line {Line}", index, i);
        }

        return Task.CompletedTask;
    }

    /// <summary>Logs its secret, attaches it and fails with it in its message: all recorded masked.</summary>
    [Flow("dash-secret")]
    public Task UseSecret(string label, [Secret(SecretName)] string apiKey = "")
    {
        Flow.Logger.LogInformation("{Label} uses key {Key}", label, apiKey);
        Flow.Artifacts.Markdown("key", $"the key is {apiKey}");
        throw new InvalidOperationException($"{label} refused key {apiKey}");
    }
}

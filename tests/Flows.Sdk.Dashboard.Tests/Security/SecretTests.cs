using System.Text.RegularExpressions;
using Flows.Dashboard.Tests.Support;
using Flows.Runs;
using Microsoft.Extensions.DependencyInjection;

namespace Flows.Dashboard.Tests.Security;

/// <summary>No secret value ever reaches a page: every page the dashboard links to, and every live region of each, read in a browser.</summary>
public sealed partial class SecretTests
{
    private const int MaxPages = 40;

    [Test]
    public async Task NoPageOrLiveRegion_EverShowsASecretValue_ThatAFlowLoggedAttachedAndFailedWith()
    {
        await using var app = await DashboardApp.StartAsync(
            configure: b => b.Services.AddOrchestration(o => o.Deploy("secret-nightly", "dash-leaky", d => d.Cron("0 2 * * *", "UTC").Parameters(new { label = "nightly" }))),
            settings: SecretFlows.Settings);
        var run = await app.RunAsync("dash-leaky", new { label = "by hand" });
        Assert.That(run.State, Is.EqualTo(RunState.Failed), "the flow fails with the secret in its message");
        var page = await Browser.NewPageAsync();
        using var http = new HttpClient();

        var visited = new List<string>();
        var queue = new Queue<string>([app.Dashboard + "/", app.Dashboard + $"/runs/{run.Id}", app.Dashboard + "/deployments", app.Dashboard + "/workers"]);
        var seen = new HashSet<string>(queue, StringComparer.Ordinal);
        while (queue.Count > 0 && visited.Count < MaxPages)
        {
            var url = queue.Dequeue();
            await page.GotoAsync(url);
            visited.Add(url);
            var html = await page.ContentAsync();
            Assert.That(html, Does.Not.Contain(SecretFlows.Value), $"the page {url} shows the secret");
            foreach (var region in await page.Locator("[data-live]").EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.live)"))
            {
                var fragment = await http.GetStringAsync(url + (url.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "_live=" + region);
                Assert.That(fragment, Does.Not.Contain(SecretFlows.Value), $"the live region '{region}' of {url} shows the secret");
            }

            foreach (var href in await page.Locator("a[href]").EvaluateAllAsync<string[]>("els => els.map(e => e.href)"))
            {
                var link = href.Split('#')[0];
                if (link.StartsWith(app.Dashboard, StringComparison.Ordinal) && !link.Contains("/assets/", StringComparison.Ordinal) && seen.Add(link))
                {
                    queue.Enqueue(link);
                }
            }
        }

        Assert.That(visited, Has.Some.Contains($"/runs/{run.Id}"), "the failed run's page was read");
        Assert.That(visited.Count(u => RunPage().IsMatch(u)), Is.GreaterThanOrEqualTo(1));
        var runPage = await http.GetStringAsync(app.Dashboard + $"/runs/{run.Id}");
        Assert.That(runPage, Does.Contain("***"), "the run's page shows where the secret was, masked");
    }

    [GeneratedRegex(@"/runs/[0-9a-f-]{36}")]
    private static partial Regex RunPage();
}

using Flows.Dashboard.Tests.Support;
using Flows.Runs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Flows.Dashboard.Tests.Pages;

/// <summary>The workers page in a real browser: the processes sharing one PostgreSQL run store, live.</summary>
public sealed class WorkersPageTests
{
    /// <summary>Playwright's assertions wait 5 s by default; a loaded machine may take longer for a run to reach the store and the page's next refresh.</summary>
    [SetUp]
    public void WaitAsLongAsTheOtherWaits() => SetDefaultExpectTimeout(30_000);

    [Test]
    public async Task TwoNodesOfOnePostgreSqlStore_AreListedWithTheirQueuesAndRunsInFlight_ALapsedOneAsGone_Live()
    {
        await using var nodes = PostgresNodes.Create();
        await using var app = await DashboardApp.StartAsync(
            settings: nodes.Settings,
            configure: b => b.Services.AddFlowsPostgreSqlStore().AddOrchestration(o =>
            {
                o.DeployFlowSchedules = false;
                o.Queues.Add("default");
                o.Queues.Add("reports");
            }));
        var worker = await nodes.StartNodeAsync(o =>
        {
            o.Schedules = false;
            o.Queues.Add("heavy");
            o.MaxConcurrentRuns = 2;
        });
        var gone = Guid.CreateVersion7();
        await nodes.AddLapsedOwnerAsync(gone, "old-worker", TimeSpan.FromMinutes(10), """{"Works":true,"Queues":["legacy"]}""");
        var gate = "workers-" + Guid.NewGuid().ToString("N");
        var runId = Guid.CreateVersion7();
        var workerEngine = worker.Services.GetRequiredService<FlowEngine>();
        var running = workerEngine.RunAsync("dash-gated", DashboardApp.Parameters(new { gate }), new RunStart { RunId = runId });
        try
        {
            var page = await Browser.NewPageAsync();
            await page.GotoAsync(app.Dashboard + "/workers");

            await Expect(page.Locator("table.workers tbody tr")).ToHaveCountAsync(3);
            var here = page.Locator($"#node-{((Flows.Stores.IRunOwners)app.Engine.Store).OwnerId}");
            var there = page.Locator($"#node-{((Flows.Stores.IRunOwners)workerEngine.Store).OwnerId}");
            var lapsed = page.Locator($"#node-{gone}");
            await Expect(here).ToContainTextAsync("this process");
            await Expect(here).ToContainTextAsync("Alive");
            await Expect(here).ToContainTextAsync("queues default reports");
            await Expect(there).ToContainTextAsync("Runs flows");
            await Expect(there).ToContainTextAsync("queues heavy");
            await Expect(there).ToContainTextAsync("up to 2 at once");
            await Expect(there.GetByRole(AriaRole.Link, new() { Name = "dash-gated" })).ToHaveAttributeAsync("href", $"/flows/runs/{runId}");
            await Expect(lapsed).ToContainTextAsync("Gone");
            await Expect(lapsed).ToContainTextAsync("old-worker");
            await Expect(lapsed).ToContainTextAsync("10 min ago");
            await Expect(lapsed).ToContainTextAsync("legacy");
            await Expect(here.Locator(".scheduler")).ToHaveTextAsync("scheduler: alive");
            await Expect(there.Locator(".scheduler")).ToHaveTextAsync("scheduler: alive");
            await Expect(lapsed.Locator(".scheduler")).ToHaveCountAsync(0);
            await Expect(page.Locator("p.summary")).ToContainTextAsync("3 nodes: 2 alive, 0 overdue, 1 gone · 1 run in flight");

            // The run ends on the other node: the page shows it without being reloaded.
            DashboardFlows.Open(gate);
            await Eventually.Within(running);
            await Expect(there.Locator("td[data-label='Runs in flight']")).ToHaveTextAsync("none");

            Assert.That(await page.ContentAsync(), Does.Not.Contain(PostgresNodes.Password).And.Not.Contain(nodes.Schema), "no connection string, password or schema on the page");
        }
        finally
        {
            DashboardFlows.Open(gate);
            await Eventually.Within(running);
        }
    }

    [Test]
    public async Task OnAPhone_EachNodeIsACardWithItsStateLabelled_AndNothingScrollsSideways()
    {
        await using var app = await DashboardApp.StartAsync(configure: b => b.Services.AddOrchestration(o =>
        {
            o.DeployFlowSchedules = false;
            o.Queues.Add("reports");
        }));
        var page = await Browser.NewPageAsync(width: 390, height: 844);

        await page.GotoAsync(app.Dashboard + "/workers");

        var node = page.Locator("table.workers tbody tr").First;
        await Expect(node.Locator("td[data-label='State']")).ToContainTextAsync("Alive");
        await Expect(node.Locator("td[data-label='Serves']")).ToContainTextAsync("queues reports");
        Assert.That(await page.EvaluateAsync<int>("document.documentElement.scrollWidth"), Is.LessThanOrEqualTo(390), "the page fits the phone's width");
        var label = await node.Locator("td[data-label='State']").EvaluateAsync<string>("td => getComputedStyle(td, '::before').content");
        Assert.That(label, Is.EqualTo("\"State\""), "each value is labelled where the table's header is hidden");
    }
}

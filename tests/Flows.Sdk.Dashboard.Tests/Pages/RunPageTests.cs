using System.Net;
using Flows.Dashboard.Tests.Support;
using Flows.Runs;
using Flows.Stores;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Flows.Dashboard.Tests.Pages;

/// <summary>A run's page in a real browser: error and logs, the tree updating live, retry, cancel, artifacts, the timeline.</summary>
public sealed class RunPageTests
{
    [Test]
    public async Task FailedRun_ShowsItsErrorWithStack_AndLogsFilteredByLevelAndTask()
    {
        await using var app = await DashboardApp.StartAsync();
        var run = await app.RunAsync("dash-fail", new { table = "orders" });
        var page = await Browser.NewPageAsync();

        await page.GotoAsync($"{app.Dashboard}/runs/{run.Id}");

        await Expect(page.Locator("#live-summary .state")).ToHaveTextAsync("Failed");
        await Expect(page.Locator(".run-error .error-message")).ToContainTextAsync("relation \"orders\" does not exist");
        await Expect(page.Locator(".run-error .stack")).ToContainTextAsync(" at ");
        var logs = page.Locator("#live-logs");
        await Expect(logs).ToContainTextAsync("Loading orders");
        await Expect(logs.Locator(".log-warning .source")).ToHaveTextAsync("dash-fail");

        await page.GetByLabel("Least level").SelectOptionAsync("Error");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("level=Error"));
        await Expect(logs).Not.ToContainTextAsync("Loading orders");

        await page.GotoAsync($"{app.Dashboard}/runs/{run.Id}?task=dash-load");
        await Expect(logs).Not.ToContainTextAsync("Loading orders");
        await Expect(logs.Locator(".source").First).ToHaveTextAsync("dash-load");
    }

    [Test]
    public async Task RunningRun_TreeUpdatesLive_AndRetryStartsANewRunShownOnItsPage()
    {
        await using var app = await DashboardApp.StartAsync();
        var gate = $"tree-{Guid.NewGuid():N}";
        var id = app.Start("dash-gated", new { gate });
        var page = await Browser.NewPageAsync();
        await Eventually.UntilAsync(async () => await app.Engine.Store.GetRunAsync(id) is { State: RunState.Running }, "the gated run is running");

        await page.GotoAsync($"{app.Dashboard}/runs/{id}");
        var tree = page.Locator("#live-tasks table.tree tbody");
        await Expect(tree.Locator("tr[data-task='dash-wait']")).ToContainTextAsync("Running");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Retry" })).ToHaveCountAsync(0);
        DashboardFlows.Open(gate);

        // No reload: the live region brings the gated task's end and the task after it.
        await Expect(tree.Locator("tr")).ToHaveCountAsync(3);
        await Expect(tree.Locator("tr").Nth(2)).ToContainTextAsync("dash-say");
        await Expect(page.Locator("#live-summary .state")).ToHaveTextAsync("Completed");
        await Expect(page.Locator("#live-logs")).ToContainTextAsync("finished in state Completed");
        await page.GetByRole(AriaRole.Button, new() { Name = "Retry" }).ClickAsync();

        await Expect(page.Locator(".notice")).ToContainTextAsync($"A retry of run {id}");
        var retried = Guid.Parse(page.Url.Split("/runs/")[1].Split('?')[0]);
        Assert.That(retried, Is.Not.EqualTo(id));
        await Expect(page.Locator("#live-summary .state")).ToHaveTextAsync("Completed");
        var record = await app.Engine.Store.GetRunAsync(retried);
        Assert.That(record!.Parameters, Is.EqualTo((await app.Engine.Store.GetRunAsync(id))!.Parameters));
    }

    [Test]
    public async Task RunningRun_CancelledFromItsPage_ShowsCancelledLive_WithTheReason()
    {
        await using var app = await DashboardApp.StartAsync();
        var id = app.Start("dash-gated", new { gate = $"cancel-{Guid.NewGuid():N}" });
        var page = await Browser.NewPageAsync();
        page.Dialog += (_, dialog) => _ = dialog.AcceptAsync();
        await Eventually.UntilAsync(async () => await app.Engine.Store.GetRunAsync(id) is { State: RunState.Running }, "the gated run is running");
        await page.GotoAsync($"{app.Dashboard}/runs/{id}");

        await page.GetByLabel("Reason").FillAsync("wrong day");
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel run" }).ClickAsync();

        await Expect(page.Locator(".notice")).ToContainTextAsync("Cancel requested");
        await Expect(page.Locator("#live-summary .state")).ToHaveTextAsync("Cancelled");
        await Expect(page.Locator(".run-error .error-message")).ToContainTextAsync("wrong day (cancelled from the dashboard by alice (dashboard))");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Retry" })).ToBeVisibleAsync();
    }

    [Test]
    public async Task Artifacts_RenderAsTablesMarkdownAndLinks_AndMarkupInMarkdownIsInert()
    {
        await using var app = await DashboardApp.StartAsync();
        var run = await app.RunAsync("dash-artifacts");
        var page = await Browser.NewPageAsync();

        await page.GotoAsync($"{app.Dashboard}/runs/{run.Id}");

        var markdown = page.Locator(".artifact-markdown .markdown");
        await Expect(markdown.Locator("h1")).ToHaveTextAsync("Quarterly report");
        await Expect(markdown.Locator("strong")).ToHaveTextAsync("12");
        await Expect(markdown.Locator("td").First).ToHaveTextAsync("east");
        await Expect(markdown).ToContainTextAsync("<script>window.flowsInjected = true;</script>");
        await Expect(markdown.Locator("script")).ToHaveCountAsync(0);
        await Expect(markdown.GetByRole(AriaRole.Link, new() { Name = "the docs" })).ToHaveAttributeAsync("href", "https://example.com/docs");
        await Expect(markdown.GetByRole(AriaRole.Link, new() { Name = "the docs" })).ToHaveAttributeAsync("rel", "noopener noreferrer");
        Assert.That(await markdown.Locator("a", new() { HasText = "a trap" }).GetAttributeAsync("href"), Is.Null.Or.Empty);
        var table = page.Locator(".artifact-table .artifact-table, .artifact-table").First;
        await Expect(table.Locator("thead")).ToContainTextAsync("region");
        await Expect(table.Locator("tbody tr").Nth(1)).ToContainTextAsync("south");
        var link = page.Locator(".artifact-link a");
        await Expect(link).ToHaveAttributeAsync("href", "https://example.com/report?id=7");
        await Expect(link).ToHaveAttributeAsync("rel", "noopener noreferrer");
        Assert.That(await page.EvaluateAsync<bool>("() => window.flowsInjected === true"), Is.False, "nothing in an artifact ran");
    }

    [Test]
    public async Task Timeline_ShowsAFailedAttempt_TheRetryDelay_AndTheWait()
    {
        await using var app = await DashboardApp.StartAsync();
        var run = await app.RunAsync("dash-retrying", new { key = Guid.NewGuid().ToString("N") });
        Assert.That(run.State, Is.EqualTo(RunState.Completed));
        var page = await Browser.NewPageAsync();

        await page.GotoAsync($"{app.Dashboard}/runs/{run.Id}");

        var flaky = page.Locator(".gantt-row", new() { HasText = "dash-flaky" });
        await Expect(flaky.Locator(".seg-failed")).ToHaveCountAsync(1);
        await Expect(flaky.Locator(".seg-retrying")).ToHaveCountAsync(1);
        await Expect(flaky.Locator(".seg-completed")).ToHaveCountAsync(1);
        await Expect(flaky.Locator(".sr")).ToContainTextAsync("Attempt 1 failed");
        await Expect(flaky.Locator(".sr")).ToContainTextAsync("Retrying: waiting before attempt 2");
        await Expect(page.Locator(".gantt-row").First.Locator(".sr")).ToContainTextAsync("Pending: waiting to start");
        await Expect(page.Locator("#live-tasks tr[data-task='dash-flaky']")).ToContainTextAsync("Completed");
    }

    [Test]
    public async Task Logs_ShowTheNewestLinesUpToTheCap_SayingSo_ScrolledToTheNewest()
    {
        await using var app = await DashboardApp.StartAsync();
        var run = await app.RunAsync("dash-wide", new { tasks = 51, lines = 10 });
        var page = await Browser.NewPageAsync();

        await page.GotoAsync($"{app.Dashboard}/runs/{run.Id}");

        var logs = page.Locator("#live-logs");
        await Expect(logs).ToContainTextAsync("Showing the newest 500 of 512 matching lines.");
        await Expect(logs.Locator("li")).ToHaveCountAsync(500);
        await Expect(logs.Locator("li").Last).ToContainTextAsync("finished in state Completed");
        var list = logs.Locator("ol.logs");
        await list.ScrollIntoViewIfNeededAsync();
        await Expect(list.Locator("li").Last).ToBeInViewportAsync();
        await Expect(list.Locator("li").First).Not.ToBeInViewportAsync();
    }

    [Test]
    public async Task RunPage_AtPhoneWidth_KeepsItsActionsAndTimelineInView()
    {
        await using var app = await DashboardApp.StartAsync();
        var run = await app.RunAsync("dash-fail", new { table = "orders" });
        var page = await Browser.NewPageAsync(width: 390);

        await page.GotoAsync($"{app.Dashboard}/runs/{run.Id}");

        var retry = page.GetByRole(AriaRole.Button, new() { Name = "Retry" });
        await Expect(retry).ToBeVisibleAsync();
        var box = await retry.BoundingBoxAsync();
        Assert.That(box!.X + box.Width, Is.LessThanOrEqualTo(390));
        var scrollWidth = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        Assert.That(scrollWidth, Is.LessThanOrEqualTo(390), "nothing pushes the page sideways");
    }
}

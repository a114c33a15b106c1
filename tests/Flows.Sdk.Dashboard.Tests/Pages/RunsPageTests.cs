using System.Net;
using System.Text.RegularExpressions;
using Flows.Dashboard.Tests.Support;
using Flows.Runs;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Flows.Dashboard.Tests.Pages;

/// <summary>The runs page in a real browser: filters kept in the URL, counts by state, paging by keyset, live regions.</summary>
public sealed class RunsPageTests
{
    [Test]
    public async Task FilteringByStateAndFlow_ListsOnlyThoseRuns_AndKeepsTheFiltersInTheUrl()
    {
        await using var app = await DashboardApp.StartAsync();
        await RunsHistory.AddAsync(app, "etl-load", RunState.Completed, 3);
        var failed = await RunsHistory.AddAsync(app, "etl-load", RunState.Failed, 2, agoMinutes: 10);
        await RunsHistory.AddAsync(app, "report", RunState.Failed, 1);
        var page = await Browser.NewPageAsync();
        await page.GotoAsync(app.Dashboard);

        await Filters(page).GetByLabel("State").SelectOptionAsync("Failed");
        await Filters(page).GetByLabel("Flow").FillAsync("etl-load");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex("flow=etl-load.*state=Failed"));
        var rows = page.Locator("table.runs tbody tr");
        await Expect(rows).ToHaveCountAsync(2);
        Assert.That(await rows.AllInnerTextsAsync(), Has.All.Contain("etl-load").And.All.Contain("Failed"));
        await Expect(rows.First.GetByRole(AriaRole.Link, new() { Name = "etl-load" })).ToHaveAttributeAsync("href", $"/flows/runs/{failed[0].Id}");
        await Expect(Filters(page).GetByLabel("State")).ToHaveValueAsync("Failed");
        await Expect(page.Locator("ul.counts")).ToContainTextAsync("All 5");
    }

    [Test]
    public async Task ACountByState_LinksToTheRunsInThatState_AndTheChartsSayWhatTheyShow()
    {
        await using var app = await DashboardApp.StartAsync();
        // Each state's runs inside one hour of the chart (its buckets are whole hours), wherever in the hour the test runs.
        await RunsHistory.AddAsync(app, "etl-load", RunState.Completed, 4, agoMinutes: MinutesAgoToHalfPast(hoursBack: 1));
        await RunsHistory.AddAsync(app, "etl-load", RunState.Crashed, 3, agoMinutes: MinutesAgoToHalfPast(hoursBack: 3));
        var page = await Browser.NewPageAsync();
        await page.GotoAsync(app.Dashboard);

        var crashed = page.Locator("ul.counts").GetByRole(AriaRole.Link, new() { Name = "Crashed 3" });
        await crashed.FocusAsync();
        await page.Keyboard.PressAsync("Enter");

        await Expect(page).ToHaveURLAsync(new Regex("state=Crashed"));
        await Expect(page.Locator("table.runs tbody tr")).ToHaveCountAsync(3);
        await Expect(page.Locator("ul.counts a[aria-current=true]")).ToContainTextAsync("Crashed 3");
        await Expect(page.Locator("svg.chart-states")).ToHaveAttributeAsync("aria-labelledby", "chart-states-caption");
        await Expect(page.Locator("svg.chart-states rect.bar-crashed")).ToHaveCountAsync(1);
        await Expect(page.Locator("svg.chart-states rect.bar-completed")).ToHaveCountAsync(1);
        await Expect(page.Locator("table.chart-data")).ToContainTextAsync("Crashed");
        await Expect(page.Locator("table.durations tbody tr")).ToContainTextAsync(["etl-load"]);
    }

    [Test]
    public async Task Paging_WalksOlderAndBackNewer_ByKeyset_EachRunOnce()
    {
        await using var app = await DashboardApp.StartAsync();
        var runs = await RunsHistory.AddAsync(app, "etl-load", RunState.Completed, 160);
        var page = await Browser.NewPageAsync();
        await page.GotoAsync(app.Dashboard);
        var links = page.Locator("table.runs tbody tr td:first-child a");

        var pages = new List<string[]>();
        foreach (var expected in new[] { 50, 50, 50, 10 })
        {
            if (pages.Count > 0)
            {
                await page.GetByRole(AriaRole.Link, new() { Name = "Older →" }).ClickAsync();
                await Expect(page).ToHaveURLAsync(new Regex("page="));
            }

            await Expect(links).ToHaveCountAsync(expected);
            await Expect(links.First).Not.ToHaveAttributeAsync("href", pages.Count == 0 ? "-" : pages[^1][0]);
            pages.Add(await Hrefs(links));
        }

        await Expect(page.Locator("nav.paging")).ToContainTextAsync("No older runs");
        Assert.That(pages.SelectMany(p => p), Is.EqualTo(runs.Select(r => $"/flows/runs/{r.Id}")), "every run once, newest first");
        foreach (var back in new[] { 2, 1, 0 })
        {
            await page.GetByRole(AriaRole.Link, new() { Name = "← Newer" }).ClickAsync();
            await Expect(links.First).ToHaveAttributeAsync("href", pages[back][0]);
        }

        await Expect(page.Locator("nav.paging")).Not.ToContainTextAsync("Newer");
    }

    [Test]
    public async Task ACustomWindow_TypedIn_ListsAndCountsTheRunsCreatedInIt()
    {
        await using var app = await DashboardApp.StartAsync();
        await RunsHistory.AddAsync(app, "etl-load", RunState.Completed, 2);
        await RunsHistory.AddAsync(app, "etl-old", RunState.Failed, 3, agoMinutes: 3 * 24 * 60);
        var page = await Browser.NewPageAsync();
        await page.GotoAsync(app.Dashboard);
        await Expect(page.Locator("table.runs tbody tr")).ToHaveCountAsync(2);

        var now = DateTimeOffset.UtcNow;
        await Filters(page).GetByLabel("From (UTC)").FillAsync(now.AddDays(-4).ToString("yyyy-MM-dd'T'HH:mm", System.Globalization.CultureInfo.InvariantCulture));
        await Filters(page).GetByLabel("To (UTC)").FillAsync(now.AddDays(-2).ToString("yyyy-MM-dd'T'HH:mm", System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex("from=.*to="));
        await Expect(page.Locator("table.runs tbody tr")).ToHaveCountAsync(3);
        await Expect(page.Locator("table.runs tbody")).Not.ToContainTextAsync("etl-load");
        await Expect(page.Locator("ul.counts")).ToContainTextAsync("Failed 3");
        await Expect(Filters(page).GetByLabel("Window")).ToHaveValueAsync("custom");
    }

    [TestCase("?state=Exploded", "state filter 'Exploded'")]
    [TestCase("?window=custom&from=yesterday", "from time 'yesterday'")]
    [TestCase("?window=2w", "window '2w'")]
    [TestCase("?window=24h&from=2030-01-02T00:00&to=2030-01-01T00:00", "to time")]
    [TestCase("?page=not-a-token", "page link is not valid")]
    public async Task ABadFilter_IsAnswered400_InThePageFrame_NamingWhatWasWrong(string query, string message)
    {
        await using var app = await DashboardApp.StartAsync();
        var page = await Browser.NewPageAsync();

        var response = await page.GotoAsync(app.Dashboard + "/" + query);

        Assert.That(response!.Status, Is.EqualTo((int)HttpStatusCode.BadRequest));
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync(message);
        await Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Sections" })).ToBeVisibleAsync();
        await Expect(page.Locator("form.filters")).ToBeVisibleAsync();
    }

    [Test]
    public async Task TheListAndCounts_UpdateLive_WhenARunIsRecorded()
    {
        await using var app = await DashboardApp.StartAsync();
        await RunsHistory.AddAsync(app, "etl-load", RunState.Completed, 1);
        var page = await Browser.NewPageAsync();
        await page.GotoAsync(app.Dashboard);
        await Expect(page.Locator("table.runs tbody tr")).ToHaveCountAsync(1);

        await app.RunAsync("dash-fail", new { table = "voters" });

        await Expect(page.Locator("table.runs tbody tr")).ToHaveCountAsync(2);
        await Expect(page.Locator("table.runs tbody tr").First).ToContainTextAsync("dash-fail");
        await Expect(page.Locator("ul.counts")).ToContainTextAsync("Failed 1");
    }

    [Test]
    public async Task OnAPhone_TheFiltersAndListFitTheWidth_AndWork()
    {
        await using var app = await DashboardApp.StartAsync();
        await RunsHistory.AddAsync(app, "etl-load", RunState.Completed, 2, tags: ["nightly"]);
        await RunsHistory.AddAsync(app, "etl-load", RunState.Completed, 3, agoMinutes: 30, tags: ["adhoc"]);
        var page = await Browser.NewPageAsync(width: 390);
        await page.GotoAsync(app.Dashboard);

        await Filters(page).GetByLabel("Tag").FillAsync("nightly");
        await Filters(page).GetByLabel("Tag").PressAsync("Enter");

        await Expect(page).ToHaveURLAsync(new Regex("tag=nightly"));
        await Expect(page.Locator("table.runs tbody tr")).ToHaveCountAsync(2);
        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Assert.That(overflow, Is.LessThanOrEqualTo(0), "nothing wider than the phone");
        await Expect(page.Locator("table.runs tbody tr").First.Locator("td").Nth(1)).ToBeVisibleAsync();
    }

    [Test]
    public async Task ASecretHandedToARun_NeverAppearsInTheRunsPage()
    {
        await using var app = await DashboardApp.StartAsync(settings: new Dictionary<string, string?> { ["Secrets:" + RunsPageFlows.SecretName] = RunsPageFlows.SecretValue });
        var run = await app.RunAsync("dash-runs-secret", new { region = "ohio" });
        Assert.That(run.State, Is.EqualTo(RunState.Failed));
        using var http = new HttpClient();

        var html = string.Join(
            "\n",
            await http.GetStringAsync(app.Dashboard + "/"),
            await http.GetStringAsync(app.Dashboard + "/?flow=dash-runs-secret&_live=list"),
            await http.GetStringAsync(app.Dashboard + "/?flow=dash-runs-secret&_live=counts"));

        Assert.That(html, Does.Contain("dash-runs-secret"));
        Assert.That(html, Does.Not.Contain(RunsPageFlows.SecretValue));
    }

    private static ILocator Filters(IPage page) => page.Locator("form.filters");

    private static async Task<string[]> Hrefs(ILocator links) =>
        [.. (await links.EvaluateAllAsync<string[]>("els => els.map(e => e.getAttribute('href'))"))];

    /// <summary>Minutes from now back to half past the hour <paramref name="hoursBack"/> hours before the current one (UTC).</summary>
    private static int MinutesAgoToHalfPast(int hoursBack)
    {
        var now = DateTimeOffset.UtcNow;
        var hourStart = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero);
        return (int)Math.Ceiling((now - hourStart.AddHours(-hoursBack).AddMinutes(30)).TotalMinutes);
    }
}

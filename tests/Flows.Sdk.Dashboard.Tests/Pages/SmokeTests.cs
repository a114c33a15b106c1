using Flows.Dashboard.Tests.Support;

namespace Flows.Dashboard.Tests.Pages;

/// <summary>The dashboard serves its pages in a real browser.</summary>
public sealed class SmokeTests
{
    [Test]
    public async Task RunsPage_ListsARecordedRun_InABrowser()
    {
        await using var app = await DashboardApp.StartAsync();
        await app.RunAsync("dash-greet", new { name = "ada" });
        var page = await Browser.NewPageAsync();

        await page.GotoAsync(app.Dashboard);

        var row = page.Locator("table.runs tbody tr").First;
        Assert.That(await row.InnerTextAsync(), Does.Contain("dash-greet").And.Contain("Completed"));
    }
}

using Flows.Dashboard.Tests.Support;
using Flows.Orchestration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Flows.Dashboard.Tests.Tools;

/// <summary>
/// Not a test: makes the screenshots docs/images/ holds and the README shows, from a real application with a few runs
/// and deployments. Run it by name when the pages change:
/// <c>dotnet test tests/Flows.Sdk.Dashboard.Tests -c Release --filter "FullyQualifiedName~Screenshots"</c>.
/// </summary>
[Explicit("Writes docs/images/dashboard-*.png; run by name when the pages change.")]
public sealed class Screenshots
{
    [Test]
    public async Task Write()
    {
        await using var app = await DashboardApp.StartAsync(configure: b => b.Services.AddOrchestration(o => o
            .Deploy("greet-weekdays", "dash-greet", d => d.Cron("0 6 * * 1-5", "America/New_York").Parameters(new { name = "team", times = 3 }).Description("Morning greeting"))
            .Deploy("voters-nightly", "dash-fail", d => d.Cron("30 2 * * *", "UTC").Parameters(new { table = "voters" }))));
        foreach (var name in new[] { "ada", "grace", "alan", "edsger", "barbara" })
        {
            await app.RunAsync("dash-greet", new { name, times = 3 });
        }

        var failed = await app.RunAsync("dash-fail", new { table = "voters_2026" });
        await app.RunAsync("dash-greet", new { name = "katherine", times = 2 });
        var running = app.Start("dash-gated", new { gate = "screenshot" });
        await Eventually.UntilAsync(async () => (await app.Engine.Store.GetRunAsync(running))?.State == Runs.RunState.Running, "the gated run runs");
        await app.Services.GetRequiredService<IDeployments>().PauseAsync("voters-nightly", "Vendor outage until Monday", "alice");

        var folder = Path.Combine(RepositoryRoot.Path, "docs", "images");
        Directory.CreateDirectory(folder);
        var page = await Browser.NewPageAsync(1280, 800);
        await ShootAsync(page, app.Dashboard + "/", Path.Combine(folder, "dashboard-runs.png"));
        await ShootAsync(page, app.Dashboard + $"/runs/{failed.Id}", Path.Combine(folder, "dashboard-run.png"));
        await ShootAsync(page, app.Dashboard + "/deployments", Path.Combine(folder, "dashboard-deployments.png"));
        DashboardFlows.Open("screenshot");
    }

    private static async Task ShootAsync(IPage page, string url, string path)
    {
        await page.GotoAsync(url);
        await page.Locator("time[data-local]").First.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = false });
    }
}

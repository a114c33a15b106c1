using Flows.Orchestration;
using Flows.Runs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;

namespace Flows.Dashboard.Benchmarks;

/// <summary>
/// The screenshots the README shows (docs/images/dashboard-*.png): a real application with a few runs and deployments,
/// read by Debian's Chromium at 1280×800.
/// </summary>
internal static class Screenshots
{
    public const string Command = "screenshots";

    public static async Task<int> RunAsync(string[] args)
    {
        var folder = Path.GetFullPath(BenchArgs.Option(args, "--out") ?? Path.Combine("docs", "images"));
        var chromium = BenchArgs.Option(args, "--chromium")
            ?? (Environment.GetEnvironmentVariable("FLOWS_TEST_CHROMIUM") is { Length: > 0 } given ? given : "/usr/bin/chromium");
        var home = Directory.CreateTempSubdirectory("flows-screenshots-");
        try
        {
            await using var app = await StartAsync(Path.Combine(home.FullName, "flows.db"));
            var engine = app.Services.GetRequiredService<FlowEngine>();
            foreach (var states in new[] { new[] { "OH", "MI" }, ["WI"], ["PA", "GA", "AZ"], ["NC"], ["NV", "MN"] })
            {
                await engine.RunAsync("voter-sync", new Dictionary<string, System.Text.Json.JsonElement> { ["states"] = System.Text.Json.JsonSerializer.SerializeToElement(states) });
            }

            var failed = await engine.RunAsync("donations-import", new Dictionary<string, System.Text.Json.JsonElement> { ["table"] = System.Text.Json.JsonSerializer.SerializeToElement("donations_2026") });
            var synced = (await engine.Store.QueryRunsAsync(new Stores.RunQuery { Kind = RunKind.Flow, Name = "voter-sync", Limit = 10 })).First(r => r.Parameters?.Contains("PA", StringComparison.Ordinal) == true);
            _ = engine.RunAsync("report-refresh");
            await app.Services.GetRequiredService<IDeployments>().PauseAsync("donations-hourly", "Vendor outage until Monday", "alice");

            Directory.CreateDirectory(folder);
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = chromium, Headless = true, Args = ["--no-sandbox"] });
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 }, TimezoneId = "America/New_York", Locale = "en-US" });
            var root = app.Urls.First() + "/flows";
            await ShootAsync(page, root + "/", Path.Combine(folder, "dashboard-runs.png"));
            await ShootAsync(page, root + $"/runs/{synced.Id}", Path.Combine(folder, "dashboard-run.png"));
            await ShootAsync(page, root + $"/runs/{failed.Id}", Path.Combine(folder, "dashboard-run-failed.png"));
            await ShootAsync(page, root + "/deployments", Path.Combine(folder, "dashboard-deployments.png"));
            DemoFlows.Gate.TrySetResult();
            Console.WriteLine($"screenshots written to {folder}");
            return 0;
        }
        finally
        {
            home.Delete(recursive: true);
        }
    }

    private static async Task<WebApplication> StartAsync(string store)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Flows:Store:Path"] = store });
        builder.Services.AddFlows().AddOrchestration(o => o
            .Deploy("voter-sync-weekdays", "voter-sync", d => d.Cron("0 6 * * 1-5", "America/New_York").Parameters(new { states = new[] { "OH", "PA" } }).Description("Weekday morning sync"))
            .Deploy("donations-hourly", "donations-import", d => d.Cron("15 * * * *").Parameters(new { table = "donations" })));
        builder.Services.AddFlowsDashboard(o => o.AllowActionsWithoutAuthorization = true);
        var app = builder.Build();
        app.MapFlowsDashboard("/flows");
        await app.StartAsync();
        return app;
    }

    private static async Task ShootAsync(IPage page, string url, string path)
    {
        await page.GotoAsync(url);
        await page.Locator("time[data-local]").First.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path });
    }
}

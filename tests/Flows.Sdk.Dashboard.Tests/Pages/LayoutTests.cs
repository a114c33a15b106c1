using Flows.Dashboard.Tests.Support;
using Microsoft.Playwright;

namespace Flows.Dashboard.Tests.Pages;

/// <summary>The frame every page shares: keyboard first, times in the viewer's zone, usable on a phone.</summary>
public sealed class LayoutTests
{
    [Test]
    public async Task Keyboard_FirstTabReachesTheSkipLink_ThenTheSections()
    {
        await using var app = await DashboardApp.StartAsync();
        var page = await Browser.NewPageAsync();
        await page.GotoAsync(app.Dashboard + "/");

        await page.Keyboard.PressAsync("Tab");
        var first = await page.EvaluateAsync<string>("document.activeElement.textContent");
        await page.Keyboard.PressAsync("Enter");
        var focusedAfterSkip = await page.EvaluateAsync<string>("document.activeElement.id || document.location.hash");

        Assert.That(first, Is.EqualTo("Skip to content"));
        Assert.That(focusedAfterSkip, Does.Contain("main"));
    }

    [Test]
    public async Task Times_AreShownInTheViewersZone_WithUtcKeptInTheTitle()
    {
        await using var app = await DashboardApp.StartAsync();
        await app.RunAsync("dash-greet", new { name = "ada" });
        var page = await Browser.NewPageAsync(timezone: "Asia/Tokyo");

        await page.GotoAsync(app.Dashboard + "/");
        var time = page.Locator("time[datetime]").First;
        await Assertions.Expect(time).ToHaveAttributeAsync("data-local", "1");

        Assert.That(await time.InnerTextAsync(), Does.Contain("GMT+9"), "shown in the viewer's zone");
        Assert.That(await time.GetAttributeAsync("title"), Does.EndWith("UTC"));
    }

    [Test]
    public async Task PhoneWidth_TheHeaderAndPageFitWithoutSidewaysScrolling()
    {
        await using var app = await DashboardApp.StartAsync();
        await app.RunAsync("dash-greet", new { name = "ada" });
        var page = await Browser.NewPageAsync(width: 390, height: 844);

        foreach (var path in new[] { "/", "/deployments", "/workers" })
        {
            await page.GotoAsync(app.Dashboard + path);
            var overflow = await page.EvaluateAsync<int>("document.documentElement.scrollWidth - document.documentElement.clientWidth");
            Assert.That(overflow, Is.LessThanOrEqualTo(0), $"{path} scrolls sideways on a phone");
        }
    }
}

using System.Net;
using Flows.Dashboard.Tests.Support;
using Flows.Orchestration;
using Flows.Runs;
using Flows.Stores;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Flows.Dashboard.Tests.Pages;

/// <summary>The deployments page in a real browser: schedules in words, next fire times, pause and resume, run now.</summary>
public sealed class DeploymentsPageTests
{
    private static readonly Dictionary<string, string?> Secrets = new() { ["Secrets:dash-token"] = DeploymentFlows.Token };

    /// <summary>Live regions refresh every 2 s; on a loaded machine a change may take a few rounds to show.</summary>
    [OneTimeSetUp]
    public static void WaitLongerForLiveRegions() => SetDefaultExpectTimeout(30_000);

    private static Task<DashboardApp> StartAsync(bool signedIn = true) => DashboardApp.StartAsync(
        signedIn,
        b => b.Services.AddOrchestration(o => o
            .Deploy("nightly", "dash-greet", d => d.Cron("0 6 * * 1-5", "America/New_York").Parameters(new { name = "nightly" }).Tags("etl").Description("Greets every weekday morning"))
            .Deploy("typed-now", "dash-typed", d => d.Cron("0 0 1 1 *").Parameters(new { region = "eu", count = 1 }))),
        Secrets);

    [Test]
    public async Task PauseWithAReason_ThenResume_ThePageShowsIt_AndDeploymentsAgree()
    {
        await using var app = await StartAsync();
        var deployments = app.Services.GetRequiredService<IDeployments>();
        var page = await Browser.NewPageAsync();
        await page.GotoAsync(app.Dashboard + "/deployments");
        var card = page.Locator("section[data-deployment='nightly']");
        await Expect(card).ToContainTextAsync("every weekday at 06:00 America/New_York");
        await Expect(card.Locator("ol.fire-times li")).ToHaveCountAsync(5);

        // The reason is required: the browser asks for it (required), and the server refuses a pause without one, as a
        // script would post it: the form's own fields (its antiforgery token included) with the reason blank.
        Assert.That(await card.GetByLabel("Reason").EvaluateAsync<bool>("el => el.required"), Is.True);
        var refused = await card.Locator("form.pause-form").EvaluateAsync<string[]>("""
            async f => {
              const data = new FormData(f);
              data.set("reason", "  ");
              const r = await fetch(f.action, { method: "POST", body: new URLSearchParams(data) });
              return [String(r.status), await r.text()];
            }
            """);
        Assert.That(refused[0], Is.EqualTo("400"));
        Assert.That(refused[1], Does.Contain("Field &#x27;reason&#x27;: A pause needs a reason").Or.Contain("Field 'reason': A pause needs a reason"));
        Assert.That((await deployments.ListAsync()).Single(d => d.Name == "nightly").Paused, Is.False);

        await card.GetByLabel("Reason").FillAsync("source system down for maintenance");
        await card.GetByRole(AriaRole.Button, new() { Name = "Pause" }).ClickAsync();

        await Expect(page.Locator("p.notice")).ToContainTextAsync("Paused nightly");
        await Expect(card.Locator("h2")).ToContainTextAsync("Paused");
        await Expect(card.Locator("dd.pause")).ToContainTextAsync("source system down for maintenance");
        await Expect(card.Locator("dd.pause")).ToContainTextAsync("alice");
        await Expect(card).ToContainTextAsync("None while paused.");
        var paused = (await deployments.ListAsync()).Single(d => d.Name == "nightly");
        Assert.That((paused.Paused, paused.PauseReason, paused.PausedBy), Is.EqualTo((true, "source system down for maintenance", "alice (dashboard)")));

        await card.GetByRole(AriaRole.Button, new() { Name = "Resume" }).ClickAsync();

        await Expect(page.Locator("p.notice")).ToContainTextAsync("Resumed nightly");
        await Expect(card.Locator("h2")).ToContainTextAsync("Active");
        await Expect(card.Locator("ol.fire-times li")).ToHaveCountAsync(5);
        Assert.That((await deployments.ListAsync()).Single(d => d.Name == "nightly").Paused, Is.False);
    }

    [Test]
    public async Task RunNow_WithParametersTypedIntoTheForm_QueuesARunThatCompletesWithThem_OnAPhone()
    {
        await using var app = await StartAsync();
        var page = await Browser.NewPageAsync(width: 390, height: 844);
        await page.GotoAsync(app.Dashboard + "/deployments");
        await page.Locator("section[data-deployment='typed-now']").GetByRole(AriaRole.Link, new() { Name = "Run now" }).ClickAsync();

        await Expect(page.GetByLabel("region")).ToHaveValueAsync("eu");
        await Expect(page.GetByLabel("count")).ToHaveValueAsync("1");
        Assert.That(await page.Locator("[name='p.token']").CountAsync(), Is.Zero, "a [Secret] parameter is never a field");
        Assert.That(await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth"), Is.LessThanOrEqualTo(390), "no sideways scrolling on a phone");
        await page.GetByLabel("count").FillAsync("7");
        await page.GetByLabel("dryRun").CheckAsync();
        await page.GetByLabel("mood").SelectOptionAsync("Busy");
        await page.GetByLabel("day").FillAsync("2026-03-01");
        await page.GetByLabel("ids").FillAsync("4, 5");
        await page.GetByRole(AriaRole.Button, new() { Name = "Run now" }).ClickAsync();

        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/flows/runs/[0-9a-f-]{36}"));
        await Expect(page.Locator("main")).ToContainTextAsync("Completed");
        var runId = Guid.Parse(page.Url.Split("/runs/")[1].Split('?')[0]);
        var run = await app.Engine.Store.GetRunAsync(runId);
        Assert.Multiple(() =>
        {
            Assert.That(run!.Deployment, Is.EqualTo("typed-now"));
            Assert.That(run.State, Is.EqualTo(RunState.Completed));
            Assert.That(run.Result, Does.Contain("eu:7:0.5:True:Busy:").And.Contain("4|5"));
            Assert.That(run.Parameters, Does.Not.Contain(DeploymentFlows.Token));
        });
        Assert.That(await page.ContentAsync(), Does.Not.Contain(DeploymentFlows.Token));
    }

    [Test]
    public async Task RunNow_ABadValue_IsRefused_InTheBrowser_AndOnTheServer_WithTheFieldNamed()
    {
        await using var app = await StartAsync();
        var page = await Browser.NewPageAsync();
        await page.GotoAsync(app.Dashboard + "/deployments/typed-now/run");

        // The browser's own check: a date that is not one does not even post.
        await page.GetByLabel("day").FillAsync("tomorrow");
        await page.GetByRole(AriaRole.Button, new() { Name = "Run now" }).ClickAsync();
        Assert.That(await page.GetByLabel("day").EvaluateAsync<bool>("el => el.validity.patternMismatch"), Is.True);
        Assert.That(page.Url, Does.EndWith("/deployments/typed-now/run"));

        // Past the browser (as a script or an old browser would post): the server names each refused field.
        await page.Locator("form.run-form").EvaluateAsync("f => f.noValidate = true");
        await page.GetByLabel("count").EvaluateAsync("el => el.type = 'text'");
        await page.GetByLabel("count").FillAsync("seven");
        await page.GetByLabel("day").FillAsync("2026-02-30");
        await page.GetByLabel("ids").FillAsync("[1, \"x\"]");
        var response = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Run now" }).ClickAsync(),
            r => r.Request.Method == "POST");

        Assert.That(response.Status, Is.EqualTo((int)HttpStatusCode.BadRequest));
        await Expect(page.Locator("#param-day-error")).ToContainTextAsync("parameter 'day'");
        await Expect(page.Locator("#param-ids-error")).ToContainTextAsync("parameter 'ids'");
        await Expect(page.Locator("#param-count-error")).ToContainTextAsync("parameter 'count' expected int but got \"seven\"");
        await Expect(page.Locator("#form-errors")).ToContainTextAsync("3 parameters were refused");
        await Expect(page.GetByLabel("day")).ToHaveValueAsync("2026-02-30");
        await Expect(page.GetByLabel("region")).ToHaveValueAsync("eu");
        var runs = await app.Engine.Store.QueryRunsAsync(new RunQuery { Deployment = "typed-now" });
        Assert.That(runs, Is.Empty, "nothing queued");
    }

    [Test]
    public async Task TheLiveList_IsAnswered304_WhenNothingChanged_AndAReadOnlyDashboardOffersNoActions()
    {
        await using var app = await StartAsync();
        await using var readOnly = await StartAsync(signedIn: false);
        using var http = new HttpClient();

        var first = await http.GetAsync(app.Dashboard + "/deployments?_live=list");
        using var again = new HttpRequestMessage(HttpMethod.Get, app.Dashboard + "/deployments?_live=list");
        again.Headers.TryAddWithoutValidation("If-None-Match", first.Headers.ETag!.ToString());
        var second = await http.SendAsync(again);
        var page = await http.GetStringAsync(readOnly.Dashboard + "/deployments");
        var form = await http.GetStringAsync(readOnly.Dashboard + "/deployments/typed-now/run");
        var pause = await http.PostAsync(readOnly.Dashboard + "/deployments/nightly/pause", new FormUrlEncodedContent(new Dictionary<string, string> { ["reason"] = "x" }));

        Assert.Multiple(async () =>
        {
            Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.NotModified), "the list's markup is the same when nothing changed (no per-render token in it)");
            Assert.That(page, Does.Contain("every weekday at 06:00 America/New_York").And.Not.Contain("<form").And.Not.Contain("Run now"));
            Assert.That(form, Does.Contain("read-only").And.Not.Contain("<form"));
            Assert.That(pause.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That((await readOnly.Services.GetRequiredService<IDeployments>().ListAsync()).Single(d => d.Name == "nightly").Paused, Is.False);
        });
    }

    [Test]
    public async Task AnUnknownDeployment_OrNoOrchestration_IsSaidInThePageFrame()
    {
        await using var app = await StartAsync();
        await using var plain = await DashboardApp.StartAsync();
        using var http = new HttpClient();

        var unknown = await http.GetAsync(app.Dashboard + "/deployments/nope/run");
        var unknownText = await unknown.Content.ReadAsStringAsync();
        var none = await http.GetAsync(plain.Dashboard + "/deployments");
        var noneText = await none.Content.ReadAsStringAsync();
        var list = await http.GetStringAsync(app.Dashboard + "/deployments");
        var form = await http.GetStringAsync(app.Dashboard + "/deployments/typed-now/run");

        Assert.Multiple(() =>
        {
            Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(unknownText, Does.Contain("No deployment is named 'nope'. Deployments: nightly, typed-now.").And.Contain("<nav"));
            Assert.That(none.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(noneText, Does.Contain("AddOrchestration"));
            Assert.That(list + form, Does.Not.Contain(DeploymentFlows.Token), "no secret on a page");
        });
    }
}

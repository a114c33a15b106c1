using System.Net;
using Flows.Dashboard.Tests.Support;
using Flows.Runs;
using Flows.Stores;

namespace Flows.Dashboard.Tests.Pages;

/// <summary>A run's page and actions over plain HTTP: what is refused and how, and that no secret is ever in its HTML.</summary>
public sealed class RunPageRequestTests
{
    [Test]
    public async Task UnknownRun_And_NotARunId_Answer404InThePageFrame_SayingWhich()
    {
        await using var app = await DashboardApp.StartAsync();
        using var http = new HttpClient();
        var unknown = Guid.CreateVersion7();

        using var missing = await http.GetAsync($"{app.Dashboard}/runs/{unknown}");
        using var bad = await http.GetAsync($"{app.Dashboard}/runs/yesterday");

        Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        var text = await missing.Content.ReadAsStringAsync();
        Assert.That(text, Does.Contain($"No run {unknown} is in the store").And.Contain("<nav aria-label=\"Sections\">"));
        Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await bad.Content.ReadAsStringAsync(), Does.Contain("&#x27;yesterday&#x27; is not a run id"));
    }

    [Test]
    public async Task BadLogLevel_Answers400_NamingTheField()
    {
        await using var app = await DashboardApp.StartAsync();
        var run = await app.RunAsync("dash-greet", new { name = "ada" });
        using var http = new HttpClient();

        using var response = await http.GetAsync($"{app.Dashboard}/runs/{run.Id}?level=loud");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("level: &#x27;loud&#x27; is not a log level").And.Not.Contain("   at "));
    }

    [Test]
    public async Task LiveRegionsOfAnEndedRun_Answer304_WhenPolledWithTheirETag_EvenWhereTheDashboardCanAct()
    {
        await using var app = await DashboardApp.StartAsync();
        var run = await app.RunAsync("dash-fail", new { table = "orders" });
        using var http = new HttpClient();

        foreach (var region in new[] { "summary", "error", "tasks", "logs", "artifacts", "notifications" })
        {
            var url = $"{app.Dashboard}/runs/{run.Id}?_live={region}";
            using var first = await http.GetAsync(url);
            using var again = new HttpRequestMessage(HttpMethod.Get, url);
            again.Headers.TryAddWithoutValidation("If-None-Match", first.Headers.ETag!.Tag);
            using var second = await http.SendAsync(again);

            Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.NotModified), $"region {region} is the same markup on every poll (no token, no clock in it)");
        }
    }

    [Test]
    public async Task ReadOnlyDashboard_ShowsNoButtons_AndRefusesActionsWith403()
    {
        await using var app = await DashboardApp.StartAsync(signedIn: false);
        var run = await app.RunAsync("dash-fail", new { table = "orders" });
        using var http = new HttpClient();

        var page = await http.GetStringAsync($"{app.Dashboard}/runs/{run.Id}");
        using var retry = await http.PostAsync($"{app.Dashboard}/runs/{run.Id}/retry", new FormUrlEncodedContent([]));
        using var cancel = await http.PostAsync($"{app.Dashboard}/runs/{run.Id}/cancel", new FormUrlEncodedContent([]));

        Assert.That(page, Does.Not.Contain(">Retry</button>").And.Not.Contain(">Cancel run</button>").And.Not.Contain("method=\"post\""));
        Assert.That(retry.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(cancel.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await app.Engine.Store.QueryRunsAsync(new RunQuery { Kind = RunKind.Flow }), Has.Count.EqualTo(1), "nothing was retried");
    }

    [Test]
    public async Task ActionWithoutAntiforgeryToken_Answers400_AndDoesNothing()
    {
        await using var app = await DashboardApp.StartAsync();
        var run = await app.RunAsync("dash-fail", new { table = "orders" });
        using var http = new HttpClient();

        using var retry = await http.PostAsync($"{app.Dashboard}/runs/{run.Id}/retry", new FormUrlEncodedContent([]));

        Assert.That(retry.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await retry.Content.ReadAsStringAsync(), Does.Contain("antiforgery token"));
        Assert.That(await app.Engine.Store.QueryRunsAsync(new RunQuery { Kind = RunKind.Flow }), Has.Count.EqualTo(1), "nothing was retried");
    }

    [Test]
    public async Task SecretValue_IsNeverInTheRunPage_OrAnyOfItsLiveRegions()
    {
        const string secret = "sk-dash-5f1e9c77b2a4";
        await using var app = await DashboardApp.StartAsync(settings: new Dictionary<string, string?> { [$"Secrets:{RunPageFlows.SecretName}"] = secret });
        var run = await app.RunAsync("dash-secret", new { label = "nightly" });
        Assert.That(run.State, Is.EqualTo(RunState.Failed), "the flow read the secret and failed with it in its message");
        using var http = new HttpClient();

        var pages = new List<string> { await http.GetStringAsync($"{app.Dashboard}/runs/{run.Id}") };
        foreach (var region in new[] { "summary", "error", "tasks", "logs", "artifacts", "notifications" })
        {
            pages.Add(await http.GetStringAsync($"{app.Dashboard}/runs/{run.Id}?_live={region}"));
        }

        Assert.That(pages[0], Does.Contain("nightly uses key ***").And.Contain("refused key ***").And.Contain("the key is ***"), "the places the secret would be are on the page, masked");
        foreach (var html in pages)
        {
            Assert.That(html, Does.Not.Contain(secret).And.Not.Contain(secret[..10]));
        }
    }

    [Test]
    public async Task RunPage_ShowsTheRunsNotifications_WithStatusAttemptsCountAndEncodedError()
    {
        await using var app = await DashboardApp.StartAsync();
        var run = await app.RunAsync("dash-fail", new { table = "orders" });
        var store = (INotificationStore)app.Engine.Store;
        var at = new DateTimeOffset(2030, 1, 1, 6, 0, 0, TimeSpan.Zero);
        NotificationRecord Note(string channel) => new()
        {
            Id = Guid.CreateVersion7(), EventKey = "failures|" + run.Id + "|" + channel, IncidentKey = "failures|dash-fail", Rule = "failures",
            Channel = channel, Event = "Failed", RunId = run.Id, Flow = "dash-fail", CreatedAt = at,
        };
        await store.TryClaimAsync(Note("slack") with { Status = NotificationStatus.Sent, Attempts = 1, Count = 10, SentAt = at });
        await store.TryClaimAsync(Note("mail") with { Status = NotificationStatus.Failed, Attempts = 4, Error = "SMTP <refused> the connection" });
        using var http = new HttpClient();

        var page = await http.GetStringAsync($"{app.Dashboard}/runs/{run.Id}");
        var region = await http.GetStringAsync($"{app.Dashboard}/runs/{run.Id}?_live=notifications");

        Assert.That(page, Does.Contain("<h2 id=\"notifications\">Notifications</h2>"));
        Assert.That(region, Does.Contain("<td>Failed</td><td>failures</td><td>slack</td><td>Sent</td><td>1</td><td>10</td>"), region);
        Assert.That(region, Does.Contain("<td>mail</td><td>Failed</td><td>4</td><td>1</td>").And.Contain("2030-01-01 06:00:00 UTC"), region);
        Assert.That(region, Does.Contain("SMTP &lt;refused&gt; the connection").And.Not.Contain("<refused>"), "the error is text, not markup");
    }
}

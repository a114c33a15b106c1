using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Flows.Dashboard.Tests.Support;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Flows.Dashboard.Tests.Security;

/// <summary>Secure by default: read-only without authorization, ASP.NET Core's authorization on every endpoint when given.</summary>
public sealed class AuthorizationTests
{
    [Test]
    public async Task WithoutAuthorization_TheDashboardIsReadOnly_SaysSo_AndRefusesEveryAction()
    {
        await using var app = await DashboardApp.StartAsync(signedIn: false);
        var run = await app.RunAsync("dash-fail", new { table = "voters" });
        var page = await Browser.NewPageAsync();
        using var http = new HttpClient();

        await page.GotoAsync(app.Dashboard + $"/runs/{run.Id}");
        var forms = await page.Locator("form[method=post]").CountAsync();
        var badge = await page.Locator("header .readonly").InnerTextAsync();
        var retry = await http.PostAsync(app.Dashboard + $"/runs/{run.Id}/retry", new FormUrlEncodedContent([]));

        Assert.That(badge, Is.EqualTo("Read-only"));
        Assert.That(forms, Is.Zero, "no action is offered");
        Assert.That(retry.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "an action posted anyway is refused");
        Assert.That(await retry.Content.ReadAsStringAsync(), Does.Contain("read-only").And.Contain("RequireAuthorization"));
    }

    [Test]
    public async Task RequireAuthorization_OnTheReturnedGroup_GuardsEveryPageAndAsset()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        using var folder = TempFolder.Create("flows-dashboard-auth-");
        builder.Configuration["Flows:Store:Path"] = folder.File("flows.db");
        builder.Services.AddFlows();
        builder.Services.AddFlowsDashboard();
        builder.Services.AddAuthentication("Header").AddScheme<AuthenticationSchemeOptions, HeaderUser>("Header", null);
        builder.Services.AddAuthorization(o => o.AddPolicy("operators", p => p.RequireRole("operator")));
        await using var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapFlowsDashboard("/ops/flows").RequireAuthorization("operators");
        await app.StartAsync();
        var root = app.Urls.First() + "/ops/flows";
        using var http = new HttpClient();

        var anonymous = await http.GetAsync(root + "/");
        var notOperator = await SendAsync(http, root + "/deployments", "bob", role: null);
        var asset = await SendAsync(http, root + "/assets/dashboard.css", "bob", role: null);
        var operatorPage = await SendAsync(http, root + "/", "carol", role: "operator");

        Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(notOperator.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(asset.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(operatorPage.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var html = await operatorPage.Content.ReadAsStringAsync();
        Assert.That(html, Does.Not.Contain("Read-only"), "authorization on the endpoints lets the dashboard act");
        Assert.That(html, Does.Contain("href=\"/ops/flows/deployments\""), "links follow the prefix it is mounted at");
        await app.StopAsync();
    }

    [Test]
    public void MapFlowsDashboard_WithoutItsServices_SaysWhatToCall()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddFlows();
        var app = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.MapFlowsDashboard());

        Assert.That(error!.Message, Does.Contain("services.AddFlowsDashboard()"));
    }

    [TestCase("/flows/{id}")]
    [TestCase("/a?b")]
    public void MapFlowsDashboard_RefusesAPrefixThatIsNotAPlainPath(string prefix)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddFlows();
        builder.Services.AddFlowsDashboard();
        var app = builder.Build();

        var error = Assert.Throws<ArgumentException>(() => app.MapFlowsDashboard(prefix));

        Assert.That(error!.Message, Does.Contain($"'{prefix}' is not a plain path"));
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient http, string url, string user, string? role)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("X-User", user);
        if (role is not null)
        {
            request.Headers.Add("X-Role", role);
        }

        return http.SendAsync(request);
    }

    /// <summary>Signs in whoever the X-User header names, in the X-Role role: enough to tell the outcomes apart.</summary>
    private sealed class HeaderUser(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (Request.Headers["X-User"].ToString() is not { Length: > 0 } user)
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            var claims = new List<Claim> { new(ClaimTypes.Name, user) };
            if (Request.Headers["X-Role"].ToString() is { Length: > 0 } role)
            {
                claims.Add(new Claim(ClaimTypes.Role, role));
            }

            var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme.Name));
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name)));
        }
    }
}

using System.Security.Claims;
using System.Text.Json;
using Flows.Runs;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Flows.Dashboard.Tests.Support;

/// <summary>
/// A real ASP.NET Core application on a loopback port: the flows of this test project recording to a SQLite file of its
/// own, orchestration with a deployment or two, and the dashboard at <c>/flows</c>. With <c>signedIn</c> (the default)
/// every request is signed in as "alice" and the dashboard's endpoints require authorization, so it can act; without,
/// no authorization is configured and the dashboard is read-only.
/// </summary>
public sealed class DashboardApp : IAsyncDisposable
{
    public const string User = "alice";

    private readonly TempFolder _folder;

    private DashboardApp(WebApplication app, string baseUrl, TempFolder folder)
    {
        App = app;
        BaseUrl = baseUrl;
        _folder = folder;
    }

    public WebApplication App { get; }

    /// <summary>The application's address: <c>http://127.0.0.1:port</c>.</summary>
    public string BaseUrl { get; }

    /// <summary>The dashboard's address: <see cref="BaseUrl"/> + <c>/flows</c>.</summary>
    public string Dashboard => BaseUrl + "/flows";

    public IServiceProvider Services => App.Services;

    public FlowEngine Engine => App.Services.GetRequiredService<FlowEngine>();

    /// <summary>
    /// Starts an application. <paramref name="configure"/> adds to its services (orchestration and deployments, say);
    /// <paramref name="settings"/> to its configuration.
    /// </summary>
    public static async Task<DashboardApp> StartAsync(
        bool signedIn = true,
        Action<WebApplicationBuilder>? configure = null,
        IDictionary<string, string?>? settings = null,
        Action<DashboardOptions>? dashboard = null)
    {
        var folder = TempFolder.Create("flows-dashboard-");
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var configuration = new Dictionary<string, string?> { ["Flows:Store:Path"] = folder.File("flows.db") };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Services.AddFlows();
        builder.Services.AddFlowsDashboard(dashboard);
        if (signedIn)
        {
            builder.Services.AddAuthentication(SignedIn.Name).AddScheme<AuthenticationSchemeOptions, SignedIn>(SignedIn.Name, null);
            builder.Services.AddAuthorization();
        }

        configure?.Invoke(builder);
        var app = builder.Build();
        if (signedIn)
        {
            app.UseAuthentication();
            app.UseAuthorization();
            app.MapFlowsDashboard("/flows").RequireAuthorization();
        }
        else
        {
            app.MapFlowsDashboard("/flows");
        }

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new DashboardApp(app, address.TrimEnd('/'), folder);
    }

    /// <summary>Runs <paramref name="flow"/> to its end in the application's engine; its record (a failure is recorded, not thrown).</summary>
    public Task<RunRecord> RunAsync(string flow, object? parameters = null) => Engine.RunAsync(flow, Parameters(parameters));

    /// <summary>Starts <paramref name="flow"/> without waiting for it; its run id.</summary>
    public Guid Start(string flow, object? parameters = null)
    {
        var id = Guid.CreateVersion7();
        _ = Engine.RunAsync(flow, Parameters(parameters), new RunStart { RunId = id });
        return id;
    }

    /// <summary>An anonymous object's properties as the JSON parameters of a run.</summary>
    public static IReadOnlyDictionary<string, JsonElement>? Parameters(object? parameters) =>
        parameters is null
            ? null
            : JsonSerializer.SerializeToElement(parameters, JsonSerializerOptions.Web).EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await Engine.DisposeAsync();
        await App.DisposeAsync();
        _folder.Dispose();
    }

    /// <summary>Signs every request in as <see cref="User"/>.</summary>
    private sealed class SignedIn(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string Name = "Test";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, User)], Name);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Name)));
        }
    }
}

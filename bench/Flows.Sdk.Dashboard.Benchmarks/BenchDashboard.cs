using Flows.Stores;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Flows.Dashboard.Benchmarks;

/// <summary>The dashboard served by Kestrel on a loopback port over a given store, as an application mounts it.</summary>
internal sealed class BenchDashboard : IAsyncDisposable
{
    private BenchDashboard(WebApplication app, string url)
    {
        App = app;
        Url = url;
    }

    public WebApplication App { get; }

    /// <summary>The dashboard's address: <c>http://127.0.0.1:port/flows</c>.</summary>
    public string Url { get; }

    public static async Task<BenchDashboard> StartAsync(IRunStore store, TimeSpan querySharing)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(store);
        builder.Services.AddFlows();
        builder.Services.AddFlowsDashboard(o => o.QuerySharing = querySharing);
        var app = builder.Build();
        app.MapFlowsDashboard("/flows");
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new BenchDashboard(app, address.TrimEnd('/') + "/flows");
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

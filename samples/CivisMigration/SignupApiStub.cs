using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CivisMigration;

/// <summary>
/// A stand-in for the vendor API the Civis container script pulled signups from: 127.0.0.1 only, paged JSON,
/// and one 503 on the second page, as the real API does under load, so the run shows a retry.
/// </summary>
public sealed class SignupApiStub : IAsyncDisposable
{
    public const int PageSize = 25;
    public const int Pages = 3;

    private static readonly string[] Sources = ["web", "event", " ", "referral", "web"];
    private readonly WebApplication _app;
    private int _secondPageRequests;

    private SignupApiStub(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Every signup the API serves, for checking what a run loaded.</summary>
    public static IReadOnlyList<Signup> All { get; } = [.. Enumerable.Range(0, PageSize * Pages).Select(i => new Signup(
        Id: 1000 + i,
        Email: $"supporter{i}@example.org",
        Source: Sources[i % Sources.Length] == " " ? null : Sources[i % Sources.Length],
        SignedUpAt: new DateTime(2024, 5, 1, 8, 0, 0).AddHours(i * 7),
        Verified: i % 3 != 0))];

    public static async Task<SignupApiStub> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var stub = new SignupApiStub(app);
        app.MapGet("/v1/signups", stub.Page);
        await app.StartAsync();
        stub.BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return stub;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private IResult Page(int page = 1)
    {
        if (page == 2 && Interlocked.Increment(ref _secondPageRequests) == 1)
        {
            return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
        }

        var rows = All.Skip((page - 1) * PageSize).Take(PageSize).ToList();
        return Results.Json(new SignupPage(rows, page < Pages ? page + 1 : null), JsonOptions);
    }

    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
}

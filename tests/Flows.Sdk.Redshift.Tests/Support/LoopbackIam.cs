using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using System.Globalization;

namespace Flows.Redshift.Tests.Support;

/// <summary>
/// A stand-in for the Redshift and Redshift Serverless APIs on 127.0.0.1: it refuses requests whose SigV4
/// signature does not have the documented shape and answers with the documented XML or JSON.
/// </summary>
internal sealed partial class LoopbackIam : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackIam(WebApplication app) => _app = app;

    /// <summary>What a request carried, for assertions.</summary>
    public sealed record Received(string Authorization, string AmzDate, string? Target, string ContentType, string Body, string? SecurityToken);

    public ConcurrentQueue<Received> Requests { get; } = new();

    /// <summary>The service name expected in the credential scope: redshift or redshift-serverless.</summary>
    public required string Service { get; init; }

    /// <summary>Builds the answer body for each request; by default valid credentials for 15 minutes.</summary>
    public Func<Received, (int Status, string ContentType, string Body)> Answer { get; set; } = null!;

    public Uri Endpoint { get; private set; } = null!;

    public static async Task<LoopbackIam> StartAsync(string service)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var iam = new LoopbackIam(app) { Service = service };
        app.Run(iam.HandleAsync);
        await app.StartAsync();
        iam.Endpoint = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");
        return iam;
    }

    public static string ProvisionedXml(string user, string password, DateTimeOffset expiration) => $"""
        <GetClusterCredentialsResponse xmlns="http://redshift.amazonaws.com/doc/2012-12-01/">
          <GetClusterCredentialsResult>
            <DbUser>{user}</DbUser>
            <Expiration>{expiration.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fff'Z'}</Expiration>
            <DbPassword>{password}</DbPassword>
          </GetClusterCredentialsResult>
          <ResponseMetadata><RequestId>7fe1a6e3-a7b5-11e6-b2c1-b5d7e0a4b1c6</RequestId></ResponseMetadata>
        </GetClusterCredentialsResponse>
        """;

    public static string ServerlessJson(string user, string password, DateTimeOffset expiration) =>
        $$"""{"dbPassword":"{{password}}","dbUser":"{{user}}","expiration":{{(expiration.ToUnixTimeMilliseconds() / 1000.0).ToString("0.###", CultureInfo.InvariantCulture)}},"nextRefreshTime":{{expiration.ToUnixTimeSeconds() - 300}}}""";

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    [GeneratedRegex(@"^AWS4-HMAC-SHA256 Credential=(?<key>[A-Z0-9]+)/(?<date>\d{8})/(?<region>[a-z0-9-]+)/(?<service>[a-z-]+)/aws4_request, SignedHeaders=(?<headers>[a-z0-9;-]+), Signature=[0-9a-f]{64}$")]
    private static partial Regex AuthorizationShape();

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var received = new Received(
            context.Request.Headers.Authorization.ToString(),
            context.Request.Headers["X-Amz-Date"].ToString(),
            context.Request.Headers["X-Amz-Target"].FirstOrDefault(),
            context.Request.ContentType ?? string.Empty,
            await reader.ReadToEndAsync(),
            context.Request.Headers["X-Amz-Security-Token"].FirstOrDefault());
        Requests.Enqueue(received);

        var shape = AuthorizationShape().Match(received.Authorization);
        var problem = !shape.Success ? "the Authorization header is not a SigV4 header"
            : shape.Groups["service"].Value != Service ? $"the credential scope names service '{shape.Groups["service"].Value}'"
            : !Regex.IsMatch(received.AmzDate, @"^\d{8}T\d{6}Z$") || !received.AmzDate.StartsWith(shape.Groups["date"].Value, StringComparison.Ordinal) ? "X-Amz-Date does not match the scope's date"
            : !shape.Groups["headers"].Value.Split(';').Contains("host") || !shape.Groups["headers"].Value.Split(';').Contains("x-amz-date") ? "host and x-amz-date are not signed"
            : received.Target is not null && !shape.Groups["headers"].Value.Split(';').Contains("x-amz-target") ? "X-Amz-Target is not signed"
            : null;
        if (problem is not null)
        {
            context.Response.StatusCode = 403;
            context.Response.ContentType = "text/xml";
            await context.Response.WriteAsync($"<ErrorResponse><Error><Type>Sender</Type><Code>IncompleteSignature</Code><Message>{problem}</Message></Error></ErrorResponse>");
            return;
        }

        var (status, contentType, body) = Answer(received);
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        await context.Response.WriteAsync(body);
    }
}

using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Flows.Secrets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MimeKit;
using SmtpServer;
using SmtpServer.Authentication;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Flows.Notifications.Tests.Channels;

/// <summary>One request a <see cref="WebhookReceiver"/> received.</summary>
internal sealed record ReceivedRequest(string Path, string? Authorization, string ContentType, string Body)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;
}

/// <summary>A Kestrel endpoint on loopback that records every POST and answers <see cref="Status"/>.</summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WebhookReceiver(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public ConcurrentQueue<ReceivedRequest> Received { get; } = new();

    public int Status { get; set; } = StatusCodes.Status200OK;

    /// <summary>When set, requests get no answer until the client gives up.</summary>
    public bool Hangs { get; set; }

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        WebhookReceiver? receiver = null;
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            receiver!.Received.Enqueue(new ReceivedRequest(
                context.Request.Path, context.Request.Headers.Authorization.FirstOrDefault(), context.Request.ContentType ?? string.Empty, body));
            if (receiver.Hangs)
            {
                var aborted = new TaskCompletionSource();
                using (context.RequestAborted.Register(aborted.SetResult))
                {
                    await aborted.Task;
                }

                return;
            }

            context.Response.StatusCode = receiver.Status;
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        receiver = new WebhookReceiver(app, new Uri(address));
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>An SMTP server (the SmtpServer package) on loopback that keeps every mail and accepts one user.</summary>
internal sealed class SmtpReceiver : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly SmtpServer.SmtpServer _server;
    private readonly Task _running;

    private SmtpReceiver(int port, string user, string password)
    {
        Port = port;
        var options = new SmtpServerOptionsBuilder()
            .ServerName("localhost")
            .Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, port)).AllowUnsecureAuthentication(true).AuthenticationRequired(true))
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(this));
        services.Add(new DelegatingUserAuthenticator((u, p) => u == user && p == password));
        _server = new SmtpServer.SmtpServer(options, services);
        _running = _server.StartAsync(_stop.Token);
    }

    public int Port { get; }

    public ConcurrentQueue<(MimeMessage Mail, string Raw)> Received { get; } = new();

    /// <summary>A port nothing listens on (taken from the system, then released).</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public static Task<SmtpReceiver> StartAsync(string user, string password) => StartAsync(user, password, FreePort());

    /// <summary>Starts on <paramref name="port"/>: a server back up where it was down (<see cref="FreePort"/> gave the port).</summary>
    public static async Task<SmtpReceiver> StartAsync(string user, string password, int port)
    {
        var receiver = new SmtpReceiver(port, user, password);
        await Eventually.UntilAsync(receiver.ListensAsync, "the SMTP server listens");
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await Eventually.Within(_running);
        }
        catch (OperationCanceledException)
        {
            // The server's task ends cancelled when it is stopped by its token.
        }

        _stop.Dispose();
    }

    private async Task<bool> ListensAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private sealed class Store(SmtpReceiver receiver) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(
            ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            var bytes = buffer.ToArray();
            using var stream = new MemoryStream(bytes);
            var mail = await MimeMessage.LoadAsync(stream, cancellationToken);
            receiver.Received.Enqueue((mail, Encoding.UTF8.GetString(bytes)));
            return SmtpResponse.Ok;
        }
    }
}

/// <summary>Secrets and messages the channel tests share.</summary>
internal static class ChannelTestData
{
    /// <summary>A resolver serving <paramref name="secrets"/> first, as a host's registered providers are.</summary>
    public static SecretResolver Secrets(params (string Name, string Value)[] secrets)
    {
        var services = new ServiceCollection()
            .AddSingleton<ISecretProvider>(new InlineSecretProvider(secrets.Select(s => KeyValuePair.Create(s.Name, s.Value))))
            .BuildServiceProvider();
        return StoreSecrets.Create(services, configuration: null, TimeProvider.System);
    }

    /// <summary>A failed run's notification; its error and parameters were masked upstream (<c>***</c>).</summary>
    public static NotificationMessage Failed(string? error = "System.InvalidOperationException: VAN refused the token *** <tag> & co\n   at VoterSync.RunAsync()") => new()
    {
        Id = Guid.NewGuid(),
        Event = RunEvent.Failed,
        Rule = "failures",
        Flow = "voter-sync",
        Deployment = "voter-sync-nightly",
        RunId = Guid.Parse("0b4c4ad5-8f6a-4f7e-9a53-6a1d2c0f5b11"),
        State = "Failed",
        Error = error,
        Duration = TimeSpan.FromSeconds(83),
        Attempt = 2,
        Parameters = new Dictionary<string, JsonElement>
        {
            ["state"] = JsonSerializer.SerializeToElement("OH"),
            ["apiKey"] = JsonSerializer.SerializeToElement("***"),
            ["limit"] = JsonSerializer.SerializeToElement(500),
        },
        RunUrl = new Uri("https://ops.example.org/flows/runs/0b4c4ad5-8f6a-4f7e-9a53-6a1d2c0f5b11"),
        Count = 1,
        FirstAt = new DateTimeOffset(2026, 12, 4, 2, 0, 0, TimeSpan.Zero),
        LastAt = new DateTimeOffset(2026, 12, 4, 2, 0, 0, TimeSpan.Zero),
        Title = "voter-sync failed (deployment voter-sync-nightly)",
    };
}

using System.Text.Json;
using Flows.Notifications.Channels;
using Flows.Notifications.Tests.Channels;
using Flows.Orchestration;
using Flows.Runs;
using Flows.Secrets;
using Flows.Stores;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Flows.Notifications.Tests.EndToEnd;

/// <summary>
/// A real host as an application builds one: <c>AddFlows()</c>, <c>AddNotifications</c> (and <c>AddOrchestration</c>
/// when asked), secrets from a registered provider, channels declared in code with the engine's secret resolver, all on
/// a fake clock the test moves. Its channels post to the loopback receivers of <see cref="WebhookReceiver"/> and
/// <see cref="SmtpReceiver"/>.
/// </summary>
internal sealed class NotifyingHost : IAsyncDisposable
{
    /// <summary>When every end-to-end clock starts.</summary>
    public static readonly DateTimeOffset Start = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    private bool _stopped;

    private NotifyingHost(IHost host, FakeTimeProvider time, CapturedLog log)
    {
        Host = host;
        Time = time;
        Log = log;
    }

    public IHost Host { get; }

    public FakeTimeProvider Time { get; }

    /// <summary>Every line the host logged.</summary>
    public CapturedLog Log { get; }

    public FlowEngine Engine => Host.Services.GetRequiredService<FlowEngine>();

    public IFlowClient Client => Host.Services.GetRequiredService<IFlowClient>();

    /// <summary>Where the notifications are recorded: the run store itself (every built-in store keeps them).</summary>
    public INotificationStore Notifications => (INotificationStore)Engine.Store;

    /// <summary>
    /// Builds and starts a host on <paramref name="store"/> (registered, as an application registers its own), or on a
    /// SQLite home folder (<paramref name="home"/>: <c>flows.db</c>, and <c>quartz.db</c> with orchestration).
    /// <paramref name="notify"/> declares the rules and channels, given the engine's secrets for the channels' own;
    /// the host's secret provider serves <see cref="EndToEndSecrets.All"/> and <paramref name="secrets"/>.
    /// </summary>
    public static async Task<NotifyingHost> StartAsync(
        FakeTimeProvider time,
        Action<NotificationsOptions, SecretResolver> notify,
        IRunStore? store = null,
        string? home = null,
        Action<OrchestrationOptions>? orchestration = null,
        IEnumerable<KeyValuePair<string, string>>? secrets = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        if (home is not null)
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Flows:Home"] = home });
        }

        var log = new CapturedLog();
        builder.Logging.ClearProviders().AddProvider(log).SetMinimumLevel(LogLevel.Debug);
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddSingleton<ISecretProvider>(new InlineSecretProvider(EndToEndSecrets.All.Concat(secrets ?? [])));
        if (store is not null)
        {
            builder.Services.AddSingleton(store);
        }

        builder.Services.AddFlows();
        if (orchestration is not null)
        {
            builder.Services.AddOrchestration(o =>
            {
                o.DeployFlowSchedules = false;
                orchestration(o);
            });
        }

        builder.Services.AddNotifications();

        // Channels need the secrets of the application's providers (the SMTP password, the webhook's address): the engine resolves them.
        builder.Services.AddOptions<NotificationsOptions>().Configure<FlowEngine>((o, engine) => notify(o, engine.Secrets));
        var host = new NotifyingHost(builder.Build(), time, log);
        await Eventually.Within(host.Host.StartAsync());
        return host;
    }

    /// <summary>
    /// Waits (in real time, bounded) for <paramref name="condition"/>, moving the clock a second on before each look:
    /// the notification service polls, and retries deliveries, on this clock.
    /// </summary>
    public Task AdvanceUntilAsync(Func<Task<bool>> condition, string what) =>
        Eventually.UntilAsync(
            async () =>
            {
                Time.Advance(TimeSpan.FromSeconds(1));
                return await condition();
            },
            what);

    /// <summary>The notifications recorded about <paramref name="runId"/>.</summary>
    public Task<IReadOnlyList<NotificationRecord>> RecordsAsync(Guid runId) => Notifications.GetNotificationsAsync(runId);

    /// <summary>The notifications recorded about <paramref name="runs"/>, run by run.</summary>
    public async Task<List<NotificationRecord>> RecordsAsync(IEnumerable<RunRecord> runs)
    {
        var records = new List<NotificationRecord>();
        foreach (var run in runs)
        {
            records.AddRange(await RecordsAsync(run.Id));
        }

        return records;
    }

    /// <summary>The flow run of <paramref name="flow"/> (the only one of that name).</summary>
    public async Task<RunRecord> RunOfAsync(string flow) =>
        (await Engine.Store.QueryRunsAsync(new RunQuery { Name = flow, Kind = RunKind.Flow })).Single();

    /// <summary>Stops the host: its notification service ends, so nothing more is sent after this.</summary>
    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await Host.StopAsync().WaitAsync(Eventually.Limit);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Host.Dispose();
        Log.Dispose();
    }
}

/// <summary>The secrets every end-to-end host's provider serves.</summary>
internal static class EndToEndSecrets
{
    public const string SmtpUser = "flows";

    /// <summary>The SMTP password (secret <c>smtp-password</c>).</summary>
    public const string SmtpPassword = "smtp-pw-5d8e1c";

    /// <summary>What a flow injects with <c>[Secret("e2e-api-token")]</c>.</summary>
    public const string ApiToken = "tok-9f3a7c51e2b84d06";

    /// <summary>What a test resolves through the engine and passes to a flow as an ordinary parameter.</summary>
    public const string DbPassword = "db-pw-41c7e09a3f";

    /// <summary>The bearer token webhooks send (secret <c>hook-token</c>).</summary>
    public const string HookToken = "hook-bearer-0c6d2a";

    public static IEnumerable<KeyValuePair<string, string>> All =>
    [
        new("smtp-password", SmtpPassword),
        new("e2e-api-token", ApiToken),
        new("e2e-db-password", DbPassword),
        new("hook-token", HookToken),
    ];
}

/// <summary>The real channels, pointing at the loopback receivers.</summary>
internal static class Receivers
{
    /// <summary>A webhook channel posting generic JSON (or <paramref name="format"/>) to <paramref name="path"/> on <paramref name="receiver"/>.</summary>
    public static WebhookChannel Webhook(string name, WebhookReceiver receiver, string path, SecretResolver secrets, WebhookFormat format = WebhookFormat.Json) =>
        new(name, new WebhookChannelOptions { Url = new Uri(receiver.Address, path), Format = format }, secrets);

    /// <summary>An e-mail channel sending through the SMTP server on <paramref name="port"/>, logging in with the password from its secret.</summary>
    public static EmailChannel Email(string name, int port, SecretResolver secrets, params string[] to)
    {
        var options = new EmailChannelOptions
        {
            Host = "127.0.0.1",
            Port = port,
            Security = EmailSecurity.None,
            User = EndToEndSecrets.SmtpUser,
            PasswordSecret = "smtp-password",
            From = "Flows <flows@example.org>",
        };
        foreach (var recipient in to)
        {
            options.To.Add(recipient);
        }

        return new EmailChannel(name, options, secrets);
    }

    /// <summary>What <paramref name="receiver"/> got at <paramref name="path"/> (generic JSON): <c>Event flow</c>, in arrival order.</summary>
    public static string[] Events(this WebhookReceiver receiver, string path) =>
        [.. receiver.Received.Where(r => r.Path == path).Select(r => $"{r.Json.GetProperty("event").GetString()} {r.Json.GetProperty("flow").GetString()}")];

    /// <summary>The subjects of the mails <paramref name="receiver"/> got for <paramref name="recipient"/>, in arrival order.</summary>
    public static string[] Subjects(this SmtpReceiver receiver, string recipient) =>
        [.. receiver.Received.Where(m => m.Mail.To.Mailboxes.Any(a => a.Address == recipient)).Select(m => m.Mail.Subject ?? string.Empty)];

    /// <summary>A flow's parameters as a run request takes them.</summary>
    public static Dictionary<string, JsonElement> Parameters(params (string Name, object Value)[] parameters) =>
        parameters.ToDictionary(p => p.Name, p => JsonSerializer.SerializeToElement(p.Value));
}

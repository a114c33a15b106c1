using Flows.Notifications.Tests.Channels;
using Flows.Notifications.Channels;
using Flows.Notifications.Delivery;
using Flows.Notifications.Tests.Delivery;
using Flows.Runs;
using Flows.Secrets;
using Flows.Stores;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Flows.Notifications.Tests.Hosting;

/// <summary>The hosted service AddNotifications registers, in a host running flows.</summary>
public sealed class NotificationServiceTests
{
    private const string Secret = "s3cr3t-db-password-7f2a";

    [Test]
    public async Task AFailedRun_CompletesWhileItsChannelIsDown_ThenIsDeliveredOnRetry_WithNoSecretInIt()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        var channel = new RecordingChannel("ops") { FailuresLeft = 2, FailureText = $"refused by https://hooks.example.org/?token={Secret}" };
        using var host = Host(time, o =>
        {
            o.Channel(channel);
            o.Notify(n => n.When(RunEvent.Failed).To("ops"));
            o.DeliveryBackoff = TimeSpan.FromSeconds(10);
        });
        await host.StartAsync();
        var engine = host.Services.GetRequiredService<FlowEngine>();

        Guid runId;
        using (engine.Use())
        {
            var password = await engine.Secrets.GetAsync("db-password");
            var error = Assert.ThrowsAsync<InvalidOperationException>(() => NotifiedFlows.LogsIn("north", password));
            Assert.That(error!.Message, Does.StartWith("login refused"));
            runId = (await engine.Store.QueryRunsAsync(new RunQuery { Name = "logs-in" })).Single().Id;
        }

        Assert.That((await engine.Store.GetRunAsync(runId))!.State, Is.EqualTo(RunState.Failed));
        await Eventually.Until(
            () =>
            {
                time.Advance(TimeSpan.FromSeconds(1));
                return !channel.Received.IsEmpty;
            },
            "the failure is delivered once the channel is back");
        var store = host.Services.GetServices<IHostedService>().OfType<NotificationService>().Single().Processor.Store;
        var record = (await store.GetNotificationsAsync(runId)).Single();
        await host.StopAsync();

        Assert.That((record.Status, record.Attempts, channel.Attempts), Is.EqualTo((NotificationStatus.Sent, 3, 3)));
        Assert.That(record.Error, Does.StartWith("InvalidOperationException: refused by https://hooks.example.org/?token="));
        Assert.That(channel.Received.Single().Error, Does.StartWith("InvalidOperationException: login refused"));
        Assert.That(channel.ReceivedText + record, Does.Not.Contain(Secret));
    }

    [Test]
    public void ARuleNamingAnUnknownChannel_StopsTheHostsStart_NamingRuleAndChannel()
    {
        using var host = Host(new FakeTimeProvider(), o => o.Notify(n => n.Named("on-call").When(RunEvent.Failed).To("pager")));

        var error = Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.That(error!.Message, Does.Contain("rule 'on-call'").And.Contain("channel 'pager'"));
    }

    [Test]
    public async Task ChannelsAndRulesFromConfigurationAlone_NotifyARealWebhook_WithTheAddressFromASecret()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        using var host = Host(
            time,
            _ => { },
            [
                ("Channels:ops:Type", "Webhook"), ("Channels:ops:UrlSecret", "ops-url"), ("Channels:ops:Format", "Slack"),
                ("Rules:login-failures:Events", "Failed"), ("Rules:login-failures:Flows:0", "logs-*"), ("Rules:login-failures:Channels", "ops"),
                ("Rules:completions:Events", "Completed"), ("Rules:completions:Flows", "nothing-completes"), ("Rules:completions:Channels", "ops"),
                ("DashboardUrl", "https://ops.example.org/flows"),
            ],
            new Uri(receiver.Address, "/hooks/ops"));
        await host.StartAsync();
        var engine = host.Services.GetRequiredService<FlowEngine>();

        using (engine.Use())
        {
            Assert.ThrowsAsync<InvalidOperationException>(async () => await NotifiedFlows.LogsIn("north", await engine.Secrets.GetAsync("db-password")));
        }

        var runId = (await engine.Store.QueryRunsAsync(new RunQuery { Name = "logs-in" })).Single().Id;
        await Eventually.Until(
            () =>
            {
                time.Advance(TimeSpan.FromSeconds(1));
                return !receiver.Received.IsEmpty;
            },
            "the failure reaches the webhook configured for it");
        await host.StopAsync();

        var received = receiver.Received.Single();
        Assert.That(received.Path, Is.EqualTo("/hooks/ops"));
        Assert.That(received.Json.GetProperty("text").GetString(), Does.Contain("logs-in failed"));
        Assert.That(received.Body, Does.Contain($"https://ops.example.org/flows/runs/{runId}"));
        Assert.That(received.Body, Does.Not.Contain(Secret));
    }

    [Test]
    public async Task AChannelMadeByAFactory_GetsTheHostsSecrets_AndDelivers()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        using var host = Host(
            time,
            o =>
            {
                o.Channel(sp => new WebhookChannel("ops", new WebhookChannelOptions { UrlSecret = "ops-url" }, sp.GetRequiredService<FlowEngine>().Secrets));
                o.Notify(n => n.When(RunEvent.Failed).To("ops"));
            },
            opsUrl: new Uri(receiver.Address, "/hooks/factory"));
        await host.StartAsync();
        var engine = host.Services.GetRequiredService<FlowEngine>();

        using (engine.Use())
        {
            Assert.ThrowsAsync<InvalidOperationException>(async () => await NotifiedFlows.LogsIn("north", await engine.Secrets.GetAsync("db-password")));
        }

        await Eventually.Until(
            () =>
            {
                time.Advance(TimeSpan.FromSeconds(1));
                return !receiver.Received.IsEmpty;
            },
            "the failure reaches the channel the factory made");
        await host.StopAsync();

        var received = receiver.Received.Single();
        Assert.That((received.Path, received.Json.GetProperty("flow").GetString()), Is.EqualTo(("/hooks/factory", "logs-in")));
        Assert.That(received.Body, Does.Not.Contain(Secret));
    }

    [TestCase("Channels:ops:Type", "Pager", "Notification channel 'ops': Flows:Notifications:Channels:ops:Type must be Webhook or Email")]
    [TestCase("Rules:failures:Channels", "pager", "Notification rule 'failures' sends to channel 'pager', which does not exist (declared: ops)")]
    [TestCase("Rules:failures:Events", "Failed, Exploded", "Notification rule 'failures': Flows:Notifications:Rules:failures:Events names 'Exploded'")]
    public void ABadChannelOrRuleInConfiguration_StopsTheHostsStart_NamingIt(string key, string value, string expected)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Channels:ops:Type"] = "Webhook", ["Channels:ops:UrlSecret"] = "ops-url",
            ["Rules:failures:Events"] = "Failed", ["Rules:failures:Channels"] = "ops",
        };
        settings[key] = value;
        using var host = Host(new FakeTimeProvider(), _ => { }, [.. settings.Select(s => (s.Key, s.Value))]);

        var error = Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.That(error!.Message, Does.StartWith(expected));
    }

    [Test]
    public void AChannelInConfigurationNamedAsOneInCode_StopsTheHostsStart()
    {
        using var host = Host(new FakeTimeProvider(), o => o.Channel(new RecordingChannel("ops")), [("Channels:ops:Type", "Webhook"), ("Channels:ops:UrlSecret", "ops-url")]);

        var error = Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.That(error!.Message, Is.EqualTo("Two notification channels are named 'ops': a channel's name must be unique."));
    }

    private static IHost Host(FakeTimeProvider time, Action<NotificationsOptions> configure, (string Key, string? Value)[]? settings = null, Uri? opsUrl = null)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection((settings ?? []).Select(s => KeyValuePair.Create(NotificationsOptions.Section + ":" + s.Key, s.Value)));
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddSingleton<IRunStore>(new InMemoryRunStore(time));
        builder.Services.AddSingleton<ISecretProvider>(new InlineSecretProvider([new("db-password", Secret), new("ops-url", (opsUrl ?? new Uri("http://127.0.0.1:9/hooks/ops")).AbsoluteUri)]));
        builder.Services.AddFlows();
        builder.Services.AddNotifications(configure);
        return builder.Build();
    }
}

/// <summary>Flows of <see cref="NotificationServiceTests"/>.</summary>
public static class NotifiedFlows
{
    [Flow("logs-in")]
    public static Task LogsIn(string region, string password) =>
        throw new InvalidOperationException($"login refused for {region} with password {password}\nsecond line\nthird line");
}

using Flows.Notifications.Channels;
using Flows.Secrets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Flows.Notifications.Tests.Channels;

/// <summary>Channels declared under <c>Flows:Notifications:Channels</c>.</summary>
public sealed class ChannelConfigurationTests
{
    [Test]
    public async Task ChannelsFromConfiguration_AreBuiltWithTheirSettings_AndSend()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var configuration = Configuration(
            ("slack:Type", "Webhook"), ("slack:UrlSecret", "slack-url"), ("slack:Format", "slack"), ("slack:Timeout", "00:00:05"),
            ("oncall:Type", "Email"), ("oncall:Host", "smtp.example.org"), ("oncall:Port", "465"), ("oncall:Security", "SslOnConnect"),
            ("oncall:User", "flows"), ("oncall:PasswordSecret", "smtp-password"), ("oncall:From", "flows@example.org"), ("oncall:To", "a@example.org, b@example.org"));

        var channels = ChannelConfiguration.Read(configuration, ChannelTestData.Secrets(("slack-url", new Uri(receiver.Address, "/s").AbsoluteUri)));

        Assert.That(channels.Select(c => (c.Name, c.GetType().Name)), Is.EquivalentTo(new[] { ("slack", "WebhookChannel"), ("oncall", "EmailChannel") }));
        var slack = (WebhookChannel)channels.Single(c => c.Name == "slack");
        Assert.That(slack.Format, Is.EqualTo(WebhookFormat.Slack));
        await slack.SendAsync(ChannelTestData.Failed());
        Assert.That(receiver.Received.Single().Json.TryGetProperty("blocks", out _), Is.True);
        var mail = ((EmailChannel)channels.Single(c => c.Name == "oncall")).Mail(ChannelTestData.Failed());
        Assert.That(mail.To.Mailboxes.Select(m => m.Address), Is.EqualTo(new[] { "a@example.org", "b@example.org" }));
    }

    [Test]
    public async Task AHostsChannels_ResolveTheirSecretsThroughItsRegisteredProviders()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var configuration = Configuration(("ops:Type", "Webhook"), ("ops:UrlSecret", "ops-url"));
        await using var services = new ServiceCollection()
            .AddSingleton(configuration)
            .AddSingleton<ISecretProvider>(new InlineSecretProvider([KeyValuePair.Create("ops-url", new Uri(receiver.Address, "/ops").AbsoluteUri)]))
            .BuildServiceProvider();

        var channels = ChannelConfiguration.Read(services);
        await channels.Single().SendAsync(ChannelTestData.Failed());

        Assert.That(receiver.Received.Single().Path, Is.EqualTo("/ops"));
    }

    [TestCase("Type", null, "Notification channel 'bad': Flows:Notifications:Channels:bad:Type is required")]
    [TestCase("Type", "Pager", "Notification channel 'bad': Flows:Notifications:Channels:bad:Type must be Webhook or Email")]
    [TestCase("Colour", "red", "Notification channel 'bad': Flows:Notifications:Channels:bad:Colour is not a setting of a Webhook channel")]
    [TestCase("Format", "Discord", "Notification channel 'bad': Flows:Notifications:Channels:bad:Format must be Json, Slack or Teams")]
    [TestCase("Url", "https://hooks.example.org/x", "Notification channel 'bad': Url / UrlSecret must be given, one of them")]
    [TestCase("UrlSecret", null, "Notification channel 'bad': Url / UrlSecret must be given, one of them")]
    public void ABadWebhookSetting_FailsAtStart_NamingTheChannelAndKey(string key, string? value, string expected)
    {
        var settings = new Dictionary<string, string?> { ["Type"] = "Webhook", ["UrlSecret"] = "hook-url" };
        settings[key] = value;
        var configuration = Configuration([.. settings.Select(s => ("bad:" + s.Key, s.Value))]);

        var error = Assert.Throws<InvalidOperationException>(() => ChannelConfiguration.Read(configuration, ChannelTestData.Secrets()));

        Assert.That(error!.Message, Does.StartWith(expected));
    }

    [TestCase("Port", "smtp", "Notification channel 'bad': Flows:Notifications:Channels:bad:Port must be a port number")]
    [TestCase("Host", null, "Notification channel 'bad': Host is required")]
    [TestCase("To", null, "Notification channel 'bad': To must list at least one recipient")]
    [TestCase("From", "not an address", "Notification channel 'bad': From must be an e-mail address")]
    [TestCase("PasswordSecret", null, "Notification channel 'bad': User / PasswordSecret must be given together")]
    public void ABadEmailSetting_FailsAtStart_NamingTheChannelAndKey(string key, string? value, string expected)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Type"] = "Email", ["Host"] = "smtp.example.org", ["User"] = "flows", ["PasswordSecret"] = "smtp-password",
            ["From"] = "flows@example.org", ["To"] = "oncall@example.org",
        };
        settings[key] = value;
        var configuration = Configuration([.. settings.Select(s => ("bad:" + s.Key, s.Value))]);

        var error = Assert.Throws<InvalidOperationException>(() => ChannelConfiguration.Read(configuration, ChannelTestData.Secrets()));

        Assert.That(error!.Message, Does.StartWith(expected));
    }

    [Test]
    public void ErrorLines_KeepsTheFirstLines_AndSaysHowManyWereLeftOut()
    {
        Assert.That(MessageText.FirstLines("a\r\nb\nc\nd\n", 2), Is.EqualTo("a\nb\n... (2 more lines)"));
        Assert.That(MessageText.FirstLines("a\nb", 5), Is.EqualTo("a\nb"));
    }

    [Test]
    public void AGroupedIncident_SaysHowManyEvents_AndAMessageWithoutADashboard_HasNoLink()
    {
        var grouped = ChannelTestData.Failed() with { Count = 10, LastAt = new DateTimeOffset(2026, 12, 4, 2, 45, 0, TimeSpan.Zero), RunUrl = null };

        var text = MessageText.PlainText(grouped);

        Assert.That(text, Does.Contain("Count: 10 events from 2026-12-04 02:00:00 UTC to 2026-12-04 02:45:00 UTC"));
        Assert.That(text, Does.Not.Contain("Open the run"));
        Assert.That(MessageText.Html(grouped), Does.Not.Contain("<a "));
    }

    [TestCase("https://ops.example.org/flows")]
    [TestCase("https://ops.example.org/flows/")]
    public void ARunsLink_IsItsPageUnderTheDashboard(string dashboard)
    {
        var id = Guid.Parse("0b4c4ad5-8f6a-4f7e-9a53-6a1d2c0f5b11");

        Assert.That(MessageText.RunUrl(new Uri(dashboard), id)!.AbsoluteUri, Is.EqualTo("https://ops.example.org/flows/runs/0b4c4ad5-8f6a-4f7e-9a53-6a1d2c0f5b11"));
        Assert.That(MessageText.RunUrl(null, id), Is.Null);
    }

    private static IConfiguration Configuration(params (string Key, string? Value)[] settings) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Where(s => s.Value is not null).Select(s => KeyValuePair.Create(ChannelConfiguration.Section + ":" + s.Key, s.Value)))
            .Build();
}

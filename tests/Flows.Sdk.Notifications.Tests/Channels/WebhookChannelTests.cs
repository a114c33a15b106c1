using System.Net;
using System.Text.Json;
using Flows.Notifications.Channels;

namespace Flows.Notifications.Tests.Channels;

/// <summary>Webhooks posted to a real Kestrel endpoint on loopback.</summary>
public sealed class WebhookChannelTests
{
    [TestCase(WebhookFormat.Json)]
    [TestCase(WebhookFormat.Slack)]
    [TestCase(WebhookFormat.Teams)]
    public async Task AWebhook_PostsItsShape_WithWhatAPersonNeedsToAct(WebhookFormat format)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var channel = new WebhookChannel("hook", new WebhookChannelOptions { Url = new Uri(receiver.Address, "/hook"), Format = format });

        await channel.SendAsync(ChannelTestData.Failed());

        var request = receiver.Received.Single();
        Assert.That(request.ContentType, Does.StartWith("application/json"));
        var json = request.Json;
        switch (format)
        {
            case WebhookFormat.Json:
                Assert.That(json.GetProperty("event").GetString(), Is.EqualTo("Failed"));
                Assert.That(json.GetProperty("flow").GetString(), Is.EqualTo("voter-sync"));
                Assert.That(json.GetProperty("deployment").GetString(), Is.EqualTo("voter-sync-nightly"));
                Assert.That(json.GetProperty("runId").GetGuid(), Is.EqualTo(ChannelTestData.Failed().RunId));
                Assert.That(json.GetProperty("attempt").GetInt32(), Is.EqualTo(2));
                Assert.That(json.GetProperty("durationSeconds").GetDouble(), Is.EqualTo(83));
                Assert.That(json.GetProperty("parameters").GetProperty("limit").GetInt32(), Is.EqualTo(500));
                Assert.That(json.GetProperty("error").GetString(), Does.StartWith("System.InvalidOperationException"));
                Assert.That(json.GetProperty("runUrl").GetString(), Does.EndWith("/runs/0b4c4ad5-8f6a-4f7e-9a53-6a1d2c0f5b11"));
                break;
            case WebhookFormat.Slack:
                Assert.That(json.GetProperty("text").GetString(), Is.EqualTo("voter-sync failed (deployment voter-sync-nightly)"));
                var blocks = json.GetProperty("blocks").EnumerateArray().ToList();
                Assert.That(blocks[0].GetProperty("type").GetString(), Is.EqualTo("header"));
                Assert.That(blocks.Select(b => b.GetProperty("type").GetString()), Does.Contain("actions"));
                // Slack's control characters are escaped in text.
                var texts = blocks.Where(b => b.TryGetProperty("text", out _)).Select(b => b.GetProperty("text").GetProperty("text").GetString()).ToList();
                Assert.That(texts, Has.Some.Contains("&lt;tag&gt; &amp; co"));
                Assert.That(blocks[1].GetProperty("fields")[2].GetProperty("text").GetString(), Is.EqualTo("*Deployment*\nvoter-sync-nightly"));
                break;
            case WebhookFormat.Teams:
                Assert.That(json.GetProperty("type").GetString(), Is.EqualTo("message"));
                var attachment = json.GetProperty("attachments")[0];
                Assert.That(attachment.GetProperty("contentType").GetString(), Is.EqualTo("application/vnd.microsoft.card.adaptive"));
                var card = attachment.GetProperty("content");
                Assert.That(card.GetProperty("type").GetString(), Is.EqualTo("AdaptiveCard"));
                var facts = card.GetProperty("body")[1].GetProperty("facts").EnumerateArray()
                    .ToDictionary(f => f.GetProperty("title").GetString()!, f => f.GetProperty("value").GetString());
                Assert.That(facts["Run"], Is.EqualTo("0b4c4ad5-8f6a-4f7e-9a53-6a1d2c0f5b11"));
                Assert.That(facts["Duration"], Is.EqualTo("1m 23s"));
                Assert.That(card.GetProperty("actions")[0].GetProperty("type").GetString(), Is.EqualTo("Action.OpenUrl"));
                break;
        }
    }

    [Test]
    public async Task TheAddressAndToken_ComeFromSecrets_AndNeitherReachesWhatIsPosted()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        const string Path = "/services/T0SECRET/B0SECRET/xoxsecretpath";
        const string Token = "tok-4f9a1c2e7b";
        var secrets = ChannelTestData.Secrets(("slack-url", new Uri(receiver.Address, Path).AbsoluteUri), ("slack-token", Token));
        foreach (var format in Enum.GetValues<WebhookFormat>())
        {
            using var shaped = new WebhookChannel(
                "slack", new WebhookChannelOptions { UrlSecret = "slack-url", TokenSecret = "slack-token", Format = format }, secrets);
            await shaped.SendAsync(ChannelTestData.Failed());
        }

        Assert.That(receiver.Received.Select(r => r.Path), Is.All.EqualTo(Path));
        Assert.That(receiver.Received.Select(r => r.Authorization), Is.All.EqualTo("Bearer " + Token));
        foreach (var received in receiver.Received)
        {
            Assert.That(received.Body, Does.Not.Contain("SECRET").And.Not.Contain(Token).And.Not.Contain("xoxsecretpath"));
            Assert.That(received.Body, Does.Contain("***"), "the masked parameter and error are posted as masked");
        }
    }

    [Test]
    public async Task AnAnswerOtherThan2xx_Throws_NamingTheStatus_NeverTheAddress()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Status = (int)HttpStatusCode.Forbidden;
        var secrets = ChannelTestData.Secrets(("hook-url", new Uri(receiver.Address, "/hooks/secretpath9183").AbsoluteUri));
        using var channel = new WebhookChannel("ops", new WebhookChannelOptions { UrlSecret = "hook-url" }, secrets);

        var error = Assert.ThrowsAsync<HttpRequestException>(() => channel.SendAsync(ChannelTestData.Failed()));

        Assert.That(error!.Message, Is.EqualTo("Webhook channel 'ops' was answered 403 Forbidden."));
        Assert.That(error.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task AWebhookThatDoesNotAnswer_TimesOut_NamingTheChannel()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Hangs = true;
        using var channel = new WebhookChannel("ops", new WebhookChannelOptions { Url = new Uri(receiver.Address, "/x"), Timeout = TimeSpan.FromMilliseconds(300) });

        var error = Assert.ThrowsAsync<TimeoutException>(() => Eventually.Within(channel.SendAsync(ChannelTestData.Failed())));

        Assert.That(error!.Message, Is.EqualTo("Webhook channel 'ops' did not answer within 0.3 s."));
    }

    [Test]
    public void NobodyListening_Throws_WithoutTheAddress()
    {
        var port = SmtpReceiver.FreePort();
        var secrets = ChannelTestData.Secrets(("hook-url", $"http://127.0.0.1:{port}/hooks/secretpath9183"));
        using var channel = new WebhookChannel("ops", new WebhookChannelOptions { UrlSecret = "hook-url" }, secrets);

        var error = Assert.ThrowsAsync<HttpRequestException>(() => channel.SendAsync(ChannelTestData.Failed()));

        Assert.That(error!.Message, Does.StartWith("Webhook channel 'ops' could not post"));
        Assert.That(error.ToString(), Does.Not.Contain("secretpath9183"));
    }
}

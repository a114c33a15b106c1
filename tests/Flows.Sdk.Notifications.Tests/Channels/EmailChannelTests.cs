using Flows.Notifications.Channels;

namespace Flows.Notifications.Tests.Channels;

/// <summary>Mail sent through a real SMTP server (the SmtpServer package) on loopback.</summary>
public sealed class EmailChannelTests
{
    private const string Password = "pw-7c1e93b0d5";

    [Test]
    public async Task AMail_HasAPlainTextAndAnHtmlPart_AndIsSentWithThePasswordFromASecret()
    {
        await using var server = await SmtpReceiver.StartAsync("flows", Password);
        var channel = new EmailChannel("oncall", Options(server.Port), ChannelTestData.Secrets(("smtp-password", Password)));

        await channel.SendAsync(ChannelTestData.Failed());

        var (mail, raw) = server.Received.Single();
        Assert.That(mail.Subject, Is.EqualTo("voter-sync failed (deployment voter-sync-nightly)"));
        Assert.That(mail.To.Mailboxes.Select(m => m.Address), Is.EqualTo(new[] { "oncall@example.org", "data@example.org" }));
        Assert.That(mail.TextBody, Does.Contain("Deployment: voter-sync-nightly").And.Contain("Attempt: 2").And.Contain("Duration: 1m 23s")
            .And.Contain("apiKey = ***").And.Contain("Open the run: https://ops.example.org/flows/runs/0b4c4ad5-8f6a-4f7e-9a53-6a1d2c0f5b11"));
        Assert.That(mail.TextBody, Does.Contain("VAN refused the token *** <tag> & co"));
        Assert.That(mail.HtmlBody, Does.Contain("VAN refused the token *** &lt;tag&gt; &amp; co").And.Not.Contain("<tag>"));
        Assert.That(mail.HtmlBody, Does.Contain("<a href=\"https://ops.example.org/flows/runs/0b4c4ad5-8f6a-4f7e-9a53-6a1d2c0f5b11\">"));
        Assert.That(raw, Does.Not.Contain(Password));
    }

    [Test]
    public void TheServerDown_Throws_NamingTheChannelAndServer()
    {
        var port = SmtpReceiver.FreePort();
        var channel = new EmailChannel("oncall", Options(port), ChannelTestData.Secrets(("smtp-password", Password)));

        var error = Assert.ThrowsAsync<InvalidOperationException>(() => channel.SendAsync(ChannelTestData.Failed()));

        Assert.That(error!.Message, Does.StartWith($"E-mail channel 'oncall' could not connect to 127.0.0.1:{port}:"));
    }

    [Test]
    public async Task ARefusedLogin_Throws_WithoutThePassword()
    {
        await using var server = await SmtpReceiver.StartAsync("flows", "another-password");
        var channel = new EmailChannel("oncall", Options(server.Port), ChannelTestData.Secrets(("smtp-password", Password)));

        var error = Assert.ThrowsAsync<InvalidOperationException>(() => channel.SendAsync(ChannelTestData.Failed()));

        Assert.That(error!.Message, Does.StartWith($"E-mail channel 'oncall' could not log in to 127.0.0.1:{server.Port}:"));
        Assert.That(error.ToString(), Does.Not.Contain(Password));
        Assert.That(server.Received, Is.Empty);
    }

    private static EmailChannelOptions Options(int port)
    {
        var options = new EmailChannelOptions
        {
            Host = "127.0.0.1",
            Port = port,
            Security = EmailSecurity.None,
            User = "flows",
            PasswordSecret = "smtp-password",
            From = "Flows <flows@example.org>",
        };
        options.To.Add("oncall@example.org");
        options.To.Add("data@example.org");
        return options;
    }
}

using Flows.Notifications.Channels;
using Flows.Notifications.Tests.Channels;
using Flows.Runs;
using Flows.Stores;
using Microsoft.Extensions.Time.Testing;

namespace Flows.Notifications.Tests.EndToEnd;

/// <summary>A flow that leaks its secrets every way it can: none of them reaches a notification, a record or a log line.</summary>
public sealed class SecretEndToEndTests
{
    [Test]
    public async Task SecretsTheFailingFlowUsed_AreInNoBodyHeaderSubjectRecordOrLogLine()
    {
        await using var hooks = await WebhookReceiver.StartAsync();
        await using var mailbox = await SmtpReceiver.StartAsync(EndToEndSecrets.SmtpUser, EndToEndSecrets.SmtpPassword);
        var time = new FakeTimeProvider(NotifyingHost.Start);
        await using var host = await NotifyingHost.StartAsync(
            time,
            (o, secrets) =>
            {
                // The webhooks' address and token are secrets too, as a Slack or Teams webhook's are.
                foreach (var format in new[] { WebhookFormat.Json, WebhookFormat.Slack, WebhookFormat.Teams })
                {
                    o.Channel(new WebhookChannel($"hook-{format}", new WebhookChannelOptions { UrlSecret = $"hook-url-{format}", TokenSecret = "hook-token", Format = format }, secrets));
                }

                o.Channel(Receivers.Email("mail", mailbox.Port, secrets, "oncall@example.org"));
                o.Notify(n => n.When(RunEvent.Failed).To("hook-Json", "hook-Slack", "hook-Teams", "mail"));
                o.DashboardUrl = new Uri("https://ops.example.org/flows");
                o.ErrorLines = 50;
            },
            new InMemoryRunStore(time),
            secrets: [.. new[] { "Json", "Slack", "Teams" }.Select(f => KeyValuePair.Create($"hook-url-{f}", new Uri(hooks.Address, $"/{f}?sig=hook-sig-77").AbsoluteUri))]);

        using (host.Engine.Use())
        {
            // Injected with [Secret], and resolved by the application then passed as an ordinary parameter.
            var password = await host.Engine.Secrets.GetAsync("e2e-db-password");
            var error = Assert.ThrowsAsync<UnauthorizedAccessException>(() => EndToEndFlows.Leaky("north", password));
            Assert.That(error!.Message, Does.Contain(EndToEndSecrets.ApiToken), "the flow did leak the secret into its exception");
        }

        var run = await host.RunOfAsync("e2e-leaky");
        await host.AdvanceUntilAsync(async () => (await host.RecordsAsync(run.Id)) is { Count: 4 } records && records.All(r => r.Status == NotificationStatus.Sent), "the four notifications are sent");
        await host.StopAsync();

        Assert.That(hooks.Received.Select(r => r.Path).Order(), Is.EqualTo(new[] { "/Json", "/Slack", "/Teams" }));
        Assert.That(mailbox.Received, Has.Count.EqualTo(1));
        var json = hooks.Received.Single(r => r.Path == "/Json").Json;
        Assert.That(json.GetProperty("error").GetString(), Does.Contain("The API refused token *** (password ***)").And.Contain("token=***"), "the error's lines are there, masked");
        Assert.That(json.GetProperty("parameters").GetProperty("password").GetString(), Is.EqualTo("***"));
        Assert.That(json.GetProperty("runUrl").GetString(), Is.EqualTo($"https://ops.example.org/flows/runs/{run.Id}"));
        Assert.That(mailbox.Received.Single().Mail.TextBody, Does.Contain("The API refused token ***"));

        var received = hooks.Received.Select(r => $"{r.Path}\n{r.Authorization}\n{r.Body}")
            .Concat(mailbox.Received.Select(m => m.Raw))
            .Concat((await host.RecordsAsync(run.Id)).Select(r => r.ToString()))
            .Concat(host.Log.Texts);
        foreach (var secret in new[] { EndToEndSecrets.ApiToken, EndToEndSecrets.DbPassword, EndToEndSecrets.SmtpPassword, "hook-sig-77" })
        {
            Assert.That(received, Has.None.Contains(secret), secret);
        }
    }
}

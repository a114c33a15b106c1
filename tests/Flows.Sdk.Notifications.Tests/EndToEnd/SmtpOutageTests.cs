using Flows.Notifications.Tests.Channels;
using Flows.Runs;
using Flows.Stores;
using Microsoft.Extensions.Time.Testing;

namespace Flows.Notifications.Tests.EndToEnd;

/// <summary>The SMTP server down while runs end, then back up on its port.</summary>
public sealed class SmtpOutageTests
{
    [Test]
    public async Task TheSmtpServerDown_RunsEndPromptly_DeliveryIsRetriedAndRecorded_ThenSentWhenItIsBack()
    {
        var port = SmtpReceiver.FreePort();
        var time = new FakeTimeProvider(NotifyingHost.Start);
        await using var host = await NotifyingHost.StartAsync(
            time,
            (o, secrets) =>
            {
                o.Channel(Receivers.Email("oncall", port, secrets, "oncall@example.org"));
                o.Notify(n => n.When(RunEvent.Failed | RunEvent.Completed).To("oncall"));
                o.DeliveryAttempts = 20;
                o.DeliveryBackoff = TimeSpan.FromSeconds(2);
            },
            new InMemoryRunStore(time));

        // Nothing listens on the port: the runs end as they would, recorded at once, the clock not moved.
        using (host.Engine.Use())
        {
            Assert.ThrowsAsync<InvalidOperationException>(() => EndToEndFlows.Fails());
            await EndToEndFlows.Completes();
        }

        RunRecord[] runs = [await host.RunOfAsync("e2e-fails"), await host.RunOfAsync("e2e-completes")];
        Assert.That(runs.Select(r => (r.State, r.EndedAt)), Is.EqualTo(new[] { (RunState.Failed, (DateTimeOffset?)NotifyingHost.Start), (RunState.Completed, NotifyingHost.Start) }));

        // Each delivery is tried, fails, and is recorded with the error and when it is tried next.
        await host.AdvanceUntilAsync(async () => (await host.RecordsAsync(runs)) is { Count: 2 } records && records.TrueForAll(r => r.Attempts >= 2), "two attempts of each delivery failed");
        var down = await host.RecordsAsync(runs);
        Assert.That(down.Select(r => (r.Event, r.Status)), Is.EqualTo(new[] { ("Failed", NotificationStatus.Pending), ("Completed", NotificationStatus.Pending) }));
        Assert.That(down.Select(r => r.Error), Has.All.StartsWith($"InvalidOperationException: E-mail channel 'oncall' could not connect to 127.0.0.1:{port}:"));
        // A next attempt is set, after the first (the service may be due to make it already: the clock keeps moving).
        Assert.That(down.Select(r => r.NextAttemptAt), Has.All.Not.Null.And.All.GreaterThan(NotifyingHost.Start));

        await using var mailbox = await SmtpReceiver.StartAsync(EndToEndSecrets.SmtpUser, EndToEndSecrets.SmtpPassword, port);
        await host.AdvanceUntilAsync(async () => (await host.RecordsAsync(runs)) is { Count: 2 } records && records.TrueForAll(r => r.Status == NotificationStatus.Sent), "both deliveries are sent");
        await host.StopAsync();

        var sent = await host.RecordsAsync(runs);
        Assert.That(sent.Select(r => r.Attempts), Has.All.GreaterThanOrEqualTo(3));
        Assert.That(sent.Select(r => r.SentAt), Has.All.Not.Null);
        Assert.That(mailbox.Subjects("oncall@example.org").Order(), Is.EqualTo(new[] { "e2e-completes completed", "e2e-fails failed" }));
    }
}

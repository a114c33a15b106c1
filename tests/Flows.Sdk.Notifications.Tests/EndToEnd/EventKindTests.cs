using Flows.Notifications.Tests.Channels;
using Flows.Runs;
using Flows.Stores;
using Microsoft.Extensions.Time.Testing;

namespace Flows.Notifications.Tests.EndToEnd;

/// <summary>Real flows, run by the engine in a host, end each way; their notifications reach a real webhook endpoint and a real SMTP server.</summary>
public sealed class EventKindTests
{
    [Test]
    public async Task EachWayARunEnds_ReachesExactlyTheRulesThatNameIt_ThroughAWebhookAndAMailbox()
    {
        await using var hooks = await WebhookReceiver.StartAsync();
        await using var mailbox = await SmtpReceiver.StartAsync(EndToEndSecrets.SmtpUser, EndToEndSecrets.SmtpPassword);
        var time = new FakeTimeProvider(NotifyingHost.Start);
        var store = new InMemoryRunStore(time);
        await using var host = await NotifyingHost.StartAsync(time, (o, secrets) => o
            .Channel(Receivers.Webhook("hook-failed", hooks, "/failed", secrets))
            .Channel(Receivers.Webhook("hook-timed-out", hooks, "/timed-out", secrets))
            .Channel(Receivers.Webhook("hook-completed", hooks, "/completed", secrets))
            .Channel(Receivers.Webhook("hook-c", hooks, "/c", secrets))
            .Channel(Receivers.Email("mail-crashed", mailbox.Port, secrets, "crashed@example.org"))
            .Channel(Receivers.Email("mail-cancelled", mailbox.Port, secrets, "cancelled@example.org"))
            .Channel(Receivers.Email("mail-failures", mailbox.Port, secrets, "failures@example.org"))
            .Notify(n => n.When(RunEvent.Failed).To("hook-failed"))
            .Notify(n => n.When(RunEvent.Crashed).To("mail-crashed"))
            .Notify(n => n.When(RunEvent.TimedOut).To("hook-timed-out"))
            .Notify(n => n.When(RunEvent.Cancelled).To("mail-cancelled"))
            .Notify(n => n.When(RunEvent.Completed).To("hook-completed"))
            .Notify(n => n.When(RunEvent.AnyFailure).To("mail-failures"))
            .Notify(n => n.When(RunEvent.AnyFailure | RunEvent.Cancelled | RunEvent.Completed).ForFlows("e2e-c*").To("hook-c")),
            store);

        using (host.Engine.Use())
        {
            Assert.ThrowsAsync<InvalidOperationException>(() => EndToEndFlows.Fails());
            await EndToEndFlows.Completes();

            using var cancellation = new CancellationTokenSource();
            var cancelled = EndToEndFlows.IsCancelled(cancellation.Token);
            await cancellation.CancelAsync();
            Assert.CatchAsync<OperationCanceledException>(() => Eventually.Within(cancelled));

            // The attempt's timeout is on the engine's clock: moved on until it fires.
            var timesOut = EndToEndFlows.TimesOut(CancellationToken.None);
            await Eventually.AdvanceUntilEnded(time, timesOut, TimeSpan.FromSeconds(1));
            Assert.CatchAsync<TimeoutException>(() => timesOut);
        }

        // Crashed, as a run ends when the engine running it shuts down under it: a second engine (another worker) on the same store.
        var worker = new FlowEngine(new FlowEngineOptions { Store = store, TimeProvider = time });
        Task crashes;
        using (worker.Use())
        {
            crashes = EndToEndFlows.Crashes(CancellationToken.None);
        }

        await worker.DisposeAsync();
        Assert.CatchAsync<OperationCanceledException>(() => Eventually.Within(crashes));
        string[] flows = ["e2e-fails", "e2e-completes", "e2e-is-cancelled", "e2e-times-out", "e2e-crashes"];
        var runs = new List<RunRecord>();
        foreach (var flow in flows)
        {
            runs.Add(await host.RunOfAsync(flow));
        }

        Assert.That(runs.Select(r => r.State), Is.EqualTo(new[] { RunState.Failed, RunState.Completed, RunState.Cancelled, RunState.TimedOut, RunState.Crashed }));

        await host.AdvanceUntilAsync(async () => (await host.RecordsAsync(runs)) is { Count: 10 } records && records.TrueForAll(r => r.Status == NotificationStatus.Sent), "the ten notifications are sent");
        await host.StopAsync();

        Assert.That(hooks.Events("/failed"), Is.EqualTo(new[] { "Failed e2e-fails" }));
        Assert.That(hooks.Received.Single(r => r.Path == "/failed").Json.GetProperty("attempt").GetInt32(), Is.EqualTo(3), "its three attempts are one event, notified once its last failed");
        Assert.That(hooks.Events("/timed-out"), Is.EqualTo(new[] { "TimedOut e2e-times-out" }));
        Assert.That(hooks.Events("/completed"), Is.EqualTo(new[] { "Completed e2e-completes" }));
        Assert.That(hooks.Events("/c").Order(), Is.EqualTo(new[] { "Completed e2e-completes", "Crashed e2e-crashes" }));
        Assert.That(hooks.Received, Has.Count.EqualTo(5));
        Assert.That(mailbox.Subjects("crashed@example.org"), Is.EqualTo(new[] { "e2e-crashes crashed" }));
        Assert.That(mailbox.Subjects("cancelled@example.org"), Is.EqualTo(new[] { "e2e-is-cancelled was cancelled" }));
        Assert.That(mailbox.Subjects("failures@example.org").Order(), Is.EqualTo(new[] { "e2e-crashes crashed", "e2e-fails failed", "e2e-times-out timed out" }));
        Assert.That(mailbox.Received, Has.Count.EqualTo(5));
    }

    [Test]
    public async Task LateStalledAndSilent_ReachExactlyTheRulesThatNameThem()
    {
        using var home = TempFolder.Create();
        await using var hooks = await WebhookReceiver.StartAsync();
        await using var mailbox = await SmtpReceiver.StartAsync(EndToEndSecrets.SmtpUser, EndToEndSecrets.SmtpPassword);
        var time = new FakeTimeProvider(NotifyingHost.Start);
        await using var host = await NotifyingHost.StartAsync(
            time,
            (o, secrets) => o
                .Channel(Receivers.Webhook("hook-late", hooks, "/late", secrets))
                .Channel(Receivers.Webhook("hook-silent", hooks, "/silent", secrets))
                .Channel(Receivers.Email("mail-stalled", mailbox.Port, secrets, "stalled@example.org"))
                .Channel(Receivers.Email("mail-ended", mailbox.Port, secrets, "ended@example.org"))
                .Notify(n => n.WhenLate().To("hook-late"))
                .Notify(n => n.WhenRunningLongerThan(TimeSpan.FromMinutes(10)).To("mail-stalled"))
                .Notify(n => n.WhenNotSucceededWithin("e2e-quiet", TimeSpan.FromHours(2)).To("hook-silent"))
                .Notify(n => n.When(RunEvent.AnyFailure | RunEvent.Cancelled).To("mail-ended")),
            home: home.Path,
            orchestration: o => o
                .Deploy("e2e-daily", "e2e-completes", d => d.Cron("1 8 * * *").LateAfter(TimeSpan.FromSeconds(10)))
                .Deploy("e2e-quiet", "e2e-completes", d => d.Cron("0 6 1 1 *")));

        using var stop = new CancellationTokenSource();
        Task runsLong;
        using (host.Engine.Use())
        {
            runsLong = EndToEndFlows.RunsLong(stop.Token);
        }

        // The host was not running its 08:01 slot until 08:01:30 (a long pause, say): the run starts 30 s late, past its 10 s threshold.
        time.SetUtcNow(NotifyingHost.Start + TimeSpan.FromSeconds(90));
        await Eventually.UntilAsync(async () => (await host.Engine.Store.QueryRunsAsync(new RunQuery { Deployment = "e2e-daily" })) is [{ State: RunState.Completed }], "the late slot's run completes");

        // Then hours pass, a minute at a time: the long run stalls, and e2e-quiet completes nothing for two hours.
        await Eventually.UntilAsync(
            () =>
            {
                time.Advance(TimeSpan.FromMinutes(1));
                return Task.FromResult(hooks.Received.Count >= 2 && !mailbox.Received.IsEmpty);
            },
            "the late, stalled and silent notifications");
        var stalledAt = time.GetUtcNow();
        await host.StopAsync();
        await stop.CancelAsync();
        Assert.CatchAsync<OperationCanceledException>(() => Eventually.Within(runsLong));

        Assert.That(hooks.Events("/late"), Is.EqualTo(new[] { "Late e2e-completes" }));
        Assert.That(hooks.Events("/silent"), Is.EqualTo(new[] { "Silent e2e-quiet" }));
        Assert.That(hooks.Received.Single(r => r.Path == "/late").Json.GetProperty("deployment").GetString(), Is.EqualTo("e2e-daily"));
        Assert.That(mailbox.Subjects("stalled@example.org"), Is.EqualTo(new[] { "e2e-runs-long is still running" }));
        Assert.That(mailbox.Subjects("ended@example.org"), Is.Empty);
        Assert.That(stalledAt - NotifyingHost.Start, Is.GreaterThanOrEqualTo(TimeSpan.FromHours(2)));
    }
}

using Flows.Notifications.Tests.Channels;
using Flows.Runs;
using Flows.Stores;
using Microsoft.Extensions.Time.Testing;

namespace Flows.Notifications.Tests.EndToEnd;

/// <summary>A real deployment (orchestration on a SQLite home) failing again and again: one incident, one notification, one recovery.</summary>
public sealed class DeploymentIncidentTests
{
    private const string Deployment = "e2e-nightly-load";

    [Test]
    public async Task ADeploymentFailingTenTimesInTheWindow_IsOneNotification_ThenOneRecoveredCountingTen()
    {
        using var home = TempFolder.Create();
        await using var hooks = await WebhookReceiver.StartAsync();
        await using var mailbox = await SmtpReceiver.StartAsync(EndToEndSecrets.SmtpUser, EndToEndSecrets.SmtpPassword);
        var time = new FakeTimeProvider(NotifyingHost.Start);
        await using var host = await NotifyingHost.StartAsync(
            time,
            (o, secrets) =>
            {
                o.Notify(n => n.When(RunEvent.AnyFailure).ForDeployments(Deployment).WhenRecovered()
                    .To(Receivers.Webhook("ops-hook", hooks, "/ops", secrets), Receivers.Email("ops-mail", mailbox.Port, secrets, "ops@example.org")));
                o.GroupingWindow = TimeSpan.FromHours(1);
            },
            home: home.Path,
            orchestration: o => o.Deploy(Deployment, "e2e-load", d => d.Cron("0 6 1 1 *").Parameters(new { fail = false })));

        var runs = new List<RunRecord>();
        for (var i = 0; i < 11; i++)
        {
            // "Run this deployment now", as the CLI and the dashboard ask it: ten times failing, then once with its own parameters.
            var runId = await host.Client.RunDeploymentAsync(Deployment, i < 10 ? Receivers.Parameters(("fail", true)) : null);
            RunRecord? run = null;
            await host.AdvanceUntilAsync(async () => (run = await host.Engine.Store.GetRunAsync(runId)) is { State: var s } && s.IsFinal(), $"run {i + 1} of the deployment ends");
            runs.Add(run!);
        }

        await host.AdvanceUntilAsync(async () => (await host.RecordsAsync(runs[^1].Id)).Count(r => r.Status == NotificationStatus.Sent) == 2, "the recovery is sent to both channels");
        await host.StopAsync();

        Assert.That(runs.Select(r => (r.State, r.Deployment)), Is.EqualTo(Enumerable.Repeat((RunState.Failed, (string?)Deployment), 10).Append((RunState.Completed, Deployment))));
        Assert.That(time.GetUtcNow() - NotifyingHost.Start, Is.LessThan(TimeSpan.FromHours(1)), "every failure fell within the grouping window");
        Assert.That(hooks.Events("/ops"), Is.EqualTo(new[] { "Failed e2e-load", "Recovered e2e-load" }));
        var recovered = hooks.Received.Last().Json;
        Assert.That(recovered.GetProperty("count").GetInt32(), Is.EqualTo(10));
        Assert.That(recovered.GetProperty("title").GetString(), Is.EqualTo($"e2e-load recovered after 10 failures (deployment {Deployment})"));
        Assert.That(recovered.GetProperty("text").GetString(), Does.Contain("10 events"));
        Assert.That(mailbox.Subjects("ops@example.org"), Is.EqualTo(new[]
        {
            $"e2e-load failed (deployment {Deployment})",
            $"e2e-load recovered after 10 failures (deployment {Deployment})",
        }));

        // Recorded with the runs: the first failure's notification counts the ten, the nine others are grouped into it.
        foreach (var channel in new[] { "ops-hook", "ops-mail" })
        {
            var records = (await host.RecordsAsync(runs)).Where(r => r.Channel == channel).ToList();

            var head = records[0];
            Assert.That((head.Event, head.Status, head.Count), Is.EqualTo(("Failed", NotificationStatus.Sent, 10)));
            Assert.That(records.Skip(1).Take(9).Select(r => (r.Status, r.GroupedInto)), Is.EqualTo(Enumerable.Repeat((NotificationStatus.Grouped, (Guid?)head.Id), 9)));
            Assert.That((records[^1].Event, records[^1].Status, records[^1].Count), Is.EqualTo(("Recovered", NotificationStatus.Sent, 10)));
            Assert.That(records, Has.Count.EqualTo(11));
        }
    }
}

using Flows.Notifications.Tests.Channels;
using Flows.Runs;
using Flows.Stores;
using Flows.Stores.PostgreSql;
using Microsoft.Extensions.Time.Testing;

namespace Flows.Notifications.Tests.EndToEnd;

/// <summary>Three hosts on one PostgreSQL run store, each with its own channels posting to the same receivers.</summary>
public sealed class ReplicaEndToEndTests
{
    private readonly List<PostgreSqlRunStore> _stores = [];
    private string? _schema;

    [SetUp]
    public void CreateSchema() => _schema = TestPostgres.NewSchemaName("notify_e2e_");

    [TearDown]
    public async Task DropSchema()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        if (_schema is not null)
        {
            await TestPostgres.DropSchemaAsync(TestServices.Postgres, _schema);
        }
    }

    [Test]
    public async Task ThreeReplicas_EachRunningFlows_NotifyEachEventOnce()
    {
        await using var hooks = await WebhookReceiver.StartAsync();
        await using var mailbox = await SmtpReceiver.StartAsync(EndToEndSecrets.SmtpUser, EndToEndSecrets.SmtpPassword);
        var time = new FakeTimeProvider(NotifyingHost.Start);
        var replicas = new List<NotifyingHost>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var store = new PostgreSqlRunStore(new PostgreSqlRunStoreOptions { ConnectionString = TestServices.Postgres, Schema = _schema! });
                _stores.Add(store);
                replicas.Add(await NotifyingHost.StartAsync(
                    time,
                    (o, secrets) =>
                    {
                        // Each replica's own channel instances, under the same names, to the same receivers.
                        o.Notify(n => n.When(RunEvent.AnyFailure | RunEvent.Completed)
                            .To(Receivers.Webhook("ops-hook", hooks, "/ops", secrets), Receivers.Email("ops-mail", mailbox.Port, secrets, "ops@example.org")));

                        // No grouping: every run's event is notified on its own, so "once each" is what is counted.
                        o.GroupingWindow = TimeSpan.Zero;
                    },
                    store));
            }

            string[] regions = ["north", "south", "east"];
            for (var i = 0; i < replicas.Count; i++)
            {
                using (replicas[i].Engine.Use())
                {
                    Assert.ThrowsAsync<InvalidOperationException>(() => EndToEndFlows.RegionFails(regions[i]));
                    if (i == 0)
                    {
                        await EndToEndFlows.Completes();
                    }
                }
            }

            var runs = await replicas[0].Engine.Store.QueryRunsAsync(new RunQuery { Kind = RunKind.Flow });
            Assert.That(runs, Has.Count.EqualTo(4));
            await replicas[0].AdvanceUntilAsync(
                async () =>
                {
                    var records = new List<NotificationRecord>();
                    foreach (var run in runs)
                    {
                        records.AddRange(await replicas[0].RecordsAsync(run.Id));
                    }

                    return records.Count == 8 && records.TrueForAll(r => r.Status == NotificationStatus.Sent) && hooks.Received.Count >= 4 && mailbox.Received.Count >= 4;
                },
                "every event is sent to both channels");
            foreach (var replica in replicas)
            {
                await replica.StopAsync();
            }

            var runIds = runs.Select(r => r.Id.ToString()).Order().ToArray();
            Assert.That(hooks.Received.Select(r => r.Json.GetProperty("runId").GetString()!).Order(), Is.EqualTo(runIds));
            Assert.That(mailbox.Received.Select(m => m.Mail.TextBody ?? string.Empty).Select(text => runIds.Single(text.Contains)).Order(), Is.EqualTo(runIds));
            foreach (var run in runs)
            {
                var records = await replicas[0].RecordsAsync(run.Id);
                Assert.That(records.Select(r => (r.Channel, r.Status, r.Attempts)).Order(), Is.EqualTo(new[] { ("ops-hook", NotificationStatus.Sent, 1), ("ops-mail", NotificationStatus.Sent, 1) }), run.Name);
            }
        }
        finally
        {
            foreach (var replica in replicas)
            {
                await replica.DisposeAsync();
            }
        }
    }
}

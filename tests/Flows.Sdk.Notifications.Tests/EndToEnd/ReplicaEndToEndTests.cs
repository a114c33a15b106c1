using Flows.Notifications.Tests.Channels;
using Flows.Runs;
using Flows.Stores;
using Flows.Stores.PostgreSql;
using Flows.Stores.Sql;
using Microsoft.Extensions.Time.Testing;

namespace Flows.Notifications.Tests.EndToEnd;

/// <summary>Replicas: hosts sharing one PostgreSQL run store, each with its own channels posting to the same receivers.</summary>
public sealed class ReplicaEndToEndTests
{
    private readonly List<NotifyingHost> _replicas = [];
    private readonly List<PostgreSqlRunStore> _stores = [];
    private string? _schema;

    [SetUp]
    public void CreateSchema() => _schema = TestPostgres.NewSchemaName("notify_e2e_");

    [TearDown]
    public async Task DropSchema()
    {
        foreach (var replica in _replicas)
        {
            await replica.DisposeAsync();
        }

        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        // One instance of this class runs every test of it.
        _replicas.Clear();
        _stores.Clear();
        if (_schema is not null)
        {
            await TestPostgres.DropSchemaAsync(TestServices.Postgres, _schema);
        }
    }

    [Test]
    public async Task ARunWhoseProcessIsGone_IsSweptCrashedByAReplica_AndNotifiedOnce()
    {
        await using var hooks = await WebhookReceiver.StartAsync();
        var time = new FakeTimeProvider(NotifyingHost.Start);
        var replicas = _replicas;
        for (var i = 0; i < 2; i++)
        {
            replicas.Add(await NotifyingHost.StartAsync(
                time,
                (o, secrets) => o.Notify(n => n.When(RunEvent.Crashed).To(Receivers.Webhook("ops-hook", hooks, "/ops", secrets))),
                Store()));
        }

        // A worker process runs a flow on the same database, then goes away mid-run: its owner row is gone, its run still Running.
        var workerStore = Store();
        var worker = new FlowEngine(new FlowEngineOptions { Store = workerStore, TimeProvider = time });
        using var never = new CancellationTokenSource();
        Task runsLong;
        using (worker.Use())
        {
            runsLong = EndToEndFlows.RunsLong(never.Token);
        }

        await Eventually.UntilAsync(async () => (await workerStore.QueryRunsAsync(new RunQuery { Name = "e2e-runs-long" })) is [{ State: RunState.Running }], "the worker's run is recorded Running");
        await workerStore.DisposeAsync();

        // A replica's store sweeps (it does so every half heartbeat, so one may have already; called here so the test does not wait for one).
        await ((SqlRunStore)replicas[1].Engine.Store).MarkCrashedRunsAsync();
        var run = await replicas[0].RunOfAsync("e2e-runs-long");
        Assert.That(run.State, Is.EqualTo(RunState.Crashed));

        await replicas[0].AdvanceUntilAsync(async () => (await replicas[0].RecordsAsync(run.Id)) is [{ Status: NotificationStatus.Sent }], "the crash is notified");
        foreach (var replica in replicas)
        {
            await replica.StopAsync();
        }

        var received = hooks.Received.Single();
        Assert.That((received.Json.GetProperty("event").GetString(), received.Json.GetProperty("runId").GetString()), Is.EqualTo(("Crashed", run.Id.ToString())));
        Assert.That(received.Json.GetProperty("error").GetString(), Does.StartWith("The process running it stopped before it finished (store owner"), "the sweep's verdict, naming the gone process");

        // The gone worker's engine, stopped for the test's sake, can no longer record its run's end: its store is closed.
        await never.CancelAsync();
        Assert.CatchAsync<RunStoreException>(() => Eventually.Within(runsLong));
        await worker.DisposeAsync();
    }

    [Test]
    public async Task ThreeReplicas_EachRunningFlows_NotifyEachEventOnce()
    {
        await using var hooks = await WebhookReceiver.StartAsync();
        await using var mailbox = await SmtpReceiver.StartAsync(EndToEndSecrets.SmtpUser, EndToEndSecrets.SmtpPassword);
        var time = new FakeTimeProvider(NotifyingHost.Start);
        var replicas = _replicas;
        for (var i = 0; i < 3; i++)
        {
            var store = Store();
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
            async () => (await replicas[0].RecordsAsync(runs)) is { Count: 8 } records && records.TrueForAll(r => r.Status == NotificationStatus.Sent)
                && hooks.Received.Count >= 4 && mailbox.Received.Count >= 4,
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

    private PostgreSqlRunStore Store()
    {
        var store = new PostgreSqlRunStore(new PostgreSqlRunStoreOptions { ConnectionString = TestServices.Postgres, Schema = _schema! });
        _stores.Add(store);
        return store;
    }
}

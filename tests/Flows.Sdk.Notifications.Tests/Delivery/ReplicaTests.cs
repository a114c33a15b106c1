using Flows.Runs;
using Flows.Stores;
using Flows.Stores.PostgreSql;
using Microsoft.Extensions.Time.Testing;

namespace Flows.Notifications.Tests.Delivery;

/// <summary>Several processes sharing one PostgreSQL run store notify each event once between them.</summary>
public sealed class ReplicaTests
{
    private string? _schema;
    private readonly List<PostgreSqlRunStore> _stores = [];

    [SetUp]
    public void CreateSchema() => _schema = TestPostgres.NewSchemaName("notify_replicas_");

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
    public async Task ThreeReplicasOnOneStore_NotifyEachEventOnce()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        var replicas = await ReplicasAsync(3, time);

        var writer = replicas[0];
        var failures = new List<RunRecord>();
        foreach (var flow in new[] { "sync", "load", "export", "report" })
        {
            failures.Add(await writer.EndedAsync(flow, RunState.Failed));
        }

        // One more failure of "load": the same incident, counted, not sent again.
        time.Advance(TimeSpan.FromSeconds(1));
        failures.Add(await writer.EndedAsync("load", RunState.Crashed));
        await Task.WhenAll(replicas.Select(r => r.TickAsync()));
        time.Advance(TimeSpan.FromMinutes(1));
        await writer.EndedAsync("load", RunState.Completed);
        await Task.WhenAll(replicas.Select(r => r.TickAsync()));

        var received = replicas.SelectMany(r => r["ops"].Received).Select(m => $"{m.Event} {m.Flow}").Order().ToArray();
        Assert.That(received, Is.EqualTo(new[] { "Failed export", "Failed load", "Failed report", "Failed sync", "Recovered load" }));
        var records = new List<NotificationRecord>();
        foreach (var run in failures)
        {
            records.AddRange(await ((INotificationStore)writer.Store).GetNotificationsAsync(run.Id));
        }

        Assert.That(records.Select(r => r.Status), Is.EqualTo(new[] { NotificationStatus.Sent, NotificationStatus.Sent, NotificationStatus.Sent, NotificationStatus.Sent, NotificationStatus.Grouped }));
    }

    [Test]
    public async Task ReplicasGroupingFailuresIntoOneIncidentAtOnce_CountEveryFailure()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        var replicas = await ReplicasAsync(3, time);
        var writer = replicas[0];
        var first = await writer.EndedAsync("load", RunState.Failed, deployment: "nightly-load");
        await Task.WhenAll(replicas.Select(r => r.TickAsync()));

        // Twelve more failures, read by every replica in one tick: each groups those whose claims it wins, at once.
        const int more = 12;
        for (var i = 0; i < more; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await writer.EndedAsync("load", RunState.Failed, deployment: "nightly-load");
        }

        await Task.WhenAll(replicas.Select(r => r.TickAsync()));
        time.Advance(TimeSpan.FromSeconds(1));
        await writer.EndedAsync("load", RunState.Completed, deployment: "nightly-load");
        await Task.WhenAll(replicas.Select(r => r.TickAsync()));

        var head = (await ((INotificationStore)writer.Store).GetNotificationsAsync(first.Id)).Single();
        Assert.That((head.Status, head.Count), Is.EqualTo((NotificationStatus.Sent, 1 + more)), "no replica's increment is lost");
        var received = replicas.SelectMany(r => r["ops"].Received).Select(m => (m.Event, m.Count)).ToArray();
        Assert.That(received, Is.EquivalentTo(new[] { (RunEvent.Failed, 1), (RunEvent.Recovered, 1 + more) }));
    }

    [Test]
    public async Task ANotificationClaimedByAProcessThatStopped_IsTakenOverAndSentByAnother()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        var replicas = await ReplicasAsync(2, time);
        var (stopping, staying) = (replicas[0], replicas[1]);
        stopping["ops"].FailuresLeft = int.MaxValue;
        var run = await stopping.EndedAsync("load", RunState.Failed);
        await stopping.TickAsync();
        await _stores[0].DisposeAsync();
        _stores.RemoveAt(0);

        // Taken over when the next tick reads the store; sent when its next attempt is due (the backoff is kept).
        time.Advance(staying.Options.DeliveryBackoff);
        await staying.TickAsync();

        var record = (await ((INotificationStore)staying.Store).GetNotificationsAsync(run.Id)).Single();
        Assert.That((record.Status, record.Attempts, record.OwnerId), Is.EqualTo((NotificationStatus.Sent, 2, (Guid?)((IRunOwners)staying.Store).OwnerId)));
        Assert.That(staying["ops"].Received.Select(m => m.RunId), Is.EqualTo(new Guid?[] { run.Id }));
    }

    private async Task<List<ProcessorHarness>> ReplicasAsync(int count, FakeTimeProvider time)
    {
        var replicas = new List<ProcessorHarness>();
        for (var i = 0; i < count; i++)
        {
            var store = new PostgreSqlRunStore(new PostgreSqlRunStoreOptions { ConnectionString = TestServices.Postgres, Schema = _schema! });
            _stores.Add(store);
            await store.OpenAsync();
            replicas.Add(new ProcessorHarness(o => o.Notify(n => n.When(RunEvent.AnyFailure).WhenRecovered().To("ops")), store, time, "ops"));
        }

        return replicas;
    }
}

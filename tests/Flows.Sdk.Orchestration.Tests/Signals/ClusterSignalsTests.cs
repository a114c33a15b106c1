using System.Diagnostics;
using Flows.Orchestration.Cluster;
using Npgsql;

namespace Flows.Orchestration.Tests.Signals;

/// <summary>
/// The replicas' signals over the test PostgreSQL: a work notification wakes every listening replica's scheduler (a
/// burst folded into few wakes), a cancel request reaches every listener, and another application's signals reach
/// nobody here. Each test listens on channels of a scope of its own.
/// </summary>
public sealed class ClusterSignalsTests
{
    private string _scope = "";

    private static string Connection => TestServices.Postgres;

    [SetUp]
    public void NewScope() => _scope = "signals-" + Guid.NewGuid().ToString("N") + "\nqrtz_";

    [Test]
    public async Task WorkNotification_WakesTheSchedulerOfEveryListeningReplica()
    {
        await using var first = await SignalReplica.ListeningAsync(Connection, _scope);
        await using var second = await SignalReplica.ListeningAsync(Connection, _scope);
        await using var client = SignalReplica.Sender(Connection, _scope);
        var (firstBefore, secondBefore) = (first.Signals.Wakes, second.Signals.Wakes);

        await client.Signals.NotifyWorkAsync("default", CancellationToken.None);

        await Eventually.Until(() => first.Signals.Wakes > firstBefore && second.Signals.Wakes > secondBefore, "both replicas woke their schedulers");
    }

    [Test]
    public async Task CancelSignal_ReachesEveryListener_TheSenderIncluded()
    {
        await using var sender = await SignalReplica.ListeningAsync(Connection, _scope);
        await using var second = await SignalReplica.ListeningAsync(Connection, _scope);
        await using var third = await SignalReplica.ListeningAsync(Connection, _scope);
        var runId = Guid.NewGuid();

        await sender.Signals.NotifyCancelAsync(runId, CancellationToken.None);

        await Eventually.Until(() => new[] { sender, second, third }.All(r => r.Cancels.Contains(runId)), "the cancel request on all three replicas");
        Assert.That(new[] { sender, second, third }.Select(r => r.Cancels.Count), Is.All.EqualTo(1));
    }

    [Test]
    public async Task SignalsOfAnotherApplicationOnTheSameDatabase_ReachNobodyHere()
    {
        await using var here = await SignalReplica.ListeningAsync(Connection, _scope);
        await using var ours = SignalReplica.Sender(Connection, _scope);
        await using var theirs = SignalReplica.Sender(Connection, "another-application\nqrtz_");
        var wakesBefore = here.Signals.Wakes;
        var (foreign, own) = (Guid.NewGuid(), Guid.NewGuid());

        await theirs.Signals.NotifyWorkAsync("default", CancellationToken.None);
        await theirs.Signals.NotifyCancelAsync(foreign, CancellationToken.None);
        // Committed after theirs, so delivered after: once it is here, theirs would have been too.
        await ours.Signals.NotifyCancelAsync(own, CancellationToken.None);

        await Eventually.Until(() => here.Cancels.Contains(own), "our own cancel request");
        Assert.Multiple(() =>
        {
            Assert.That(here.Cancels, Is.EqualTo(new[] { own }), "only our application's cancel request");
            Assert.That(here.Signals.Wakes, Is.EqualTo(wakesBefore), "no wake for another application's work");
        });
    }

    [Test]
    public async Task ABurstOfWorkNotifications_IsFoldedIntoFewWakes()
    {
        const int Notifications = 1000;
        await using var replica = await SignalReplica.ListeningAsync(Connection, _scope);
        await using var client = SignalReplica.Sender(Connection, _scope);
        var wakesBefore = replica.Signals.Wakes;
        var marker = Guid.NewGuid();
        var clock = Stopwatch.StartNew();

        await Eventually.Within(Task.WhenAll(Enumerable.Range(0, Notifications).Select(_ => client.Signals.NotifyWorkAsync("default", CancellationToken.None))));
        await client.Signals.NotifyCancelAsync(marker, CancellationToken.None);
        await Eventually.Until(() => replica.Cancels.Contains(marker), "the marker sent after the burst");
        var wakes = replica.Signals.Wakes - wakesBefore;
        var spacings = (long)(clock.Elapsed / ClusterSignals.WakeSpacing);

        await TestContext.Out.WriteLineAsync($"{Notifications} notifications in {clock.Elapsed.TotalMilliseconds:F0} ms: {wakes} wakes");
        Assert.That(wakes, Is.InRange(1, Math.Min(spacings + 2, Notifications / 10)), "at most one wake per spacing (and one trailing)");
    }

    [Test]
    public async Task WithoutAPostgreSqlJobStore_EverySignalIsANoOp()
    {
        var raised = false;
        await using var signals = new ClusterSignals(() => (null, ""), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, TimeProvider.System);
        signals.CancelRequested += _ => raised = true;
        var scheduler = await QuartzSchedulers.InMemoryAsync();

        await signals.StartListeningAsync(scheduler, CancellationToken.None);
        await signals.NotifyWorkAsync("default", CancellationToken.None);
        await signals.NotifyCancelAsync(Guid.NewGuid(), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(signals.IsEnabled, Is.False);
            Assert.That(signals.IsListening, Is.False);
            Assert.That(signals.Wakes, Is.Zero);
            Assert.That(raised, Is.False);
        });
        await scheduler.Shutdown();
    }

    [TestCase("app")]
    [TestCase("Voter \"Sync\"; DROP TABLE runs;--\nqrtz_\npublic")]
    [TestCase("ünïcødé-scheduler-name-that-is-very-long-ünïcødé-scheduler-name-that-is-very-long-ünïcødé\nqrtz_\ns")]
    public async Task ChannelNames_AreShortPlainIdentifiers_ForAnyClusterName(string scope)
    {
        var name = ClusterSignals.ChannelName("flows_work_", scope);

        Assert.Multiple(() =>
        {
            Assert.That(name, Does.Match("^flows_work_[0-9a-f]+$"));
            Assert.That(name.Length, Is.LessThanOrEqualTo(63), "PostgreSQL's identifier limit");
            Assert.That(ClusterSignals.ChannelName("flows_work_", scope + "x"), Is.Not.EqualTo(name));
        });
        await using var connection = new NpgsqlConnection(Connection);
        await connection.OpenAsync();
        await using var listen = new NpgsqlCommand($"LISTEN \"{name}\"", connection);
        await listen.ExecuteNonQueryAsync();
    }
}

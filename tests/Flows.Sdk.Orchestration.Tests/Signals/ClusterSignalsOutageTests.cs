using Npgsql;

namespace Flows.Orchestration.Tests.Signals;

/// <summary>
/// The listening connection when PostgreSQL goes away and comes back, on a server of the test's own
/// (<see cref="ThrowAwayCluster"/>): each replica reconnects by itself, logs the outage once however many attempts it
/// took, and signals flow again.
/// </summary>
[NonParallelizable]
public sealed class ClusterSignalsOutageTests
{
    private const int Lost = 4071;
    private const int Restored = 4072;

    // Trust authentication ignores it; it is there to be looked for in what was logged.
    private const string Password = "sentinel-password-4f1c";

    [Test]
    public async Task Listeners_SurviveTheDatabaseRestarting_LoggingTheOutageOnce()
    {
        await using var cluster = await ThrowAwayCluster.StartNewAsync();
        var connection = cluster.ConnectionString + ";Password=" + Password;
        await using var first = await SignalReplica.ListeningAsync(connection);
        await using var second = await SignalReplica.ListeningAsync(connection);
        var replicas = new[] { first, second };

        await cluster.StopAsync();
        await Eventually.Until(() => replicas.All(r => !r.Signals.IsListening && r.Signals.FailedConnects >= 3), "both replicas lost the connection and failed to reconnect three times");
        await cluster.StartAsync();
        await Eventually.Until(() => replicas.All(r => r.Signals.IsListening), "both replicas listening again");
        var runId = Guid.NewGuid();
        await first.Signals.NotifyCancelAsync(runId, CancellationToken.None);

        await Eventually.Until(() => replicas.All(r => r.Cancels.Contains(runId)), "a cancel request after the restart on both replicas");
        Assert.Multiple(() =>
        {
            foreach (var replica in replicas)
            {
                Assert.That(replica.Log.Lines.Count(l => l.EventId == Lost), Is.EqualTo(1), "one line for the outage, not one per attempt");
                Assert.That(replica.Log.Lines.Count(l => l.EventId == Restored), Is.EqualTo(1));
                Assert.That(replica.Log.Texts, Has.None.Contains(Password));
            }
        });
        NpgsqlConnection.ClearAllPools();
    }
}

using Flows.Orchestration.Cluster;
using Microsoft.Extensions.Logging;
using Npgsql;
using Quartz;

namespace Flows.Orchestration.Tests.Signals;

/// <summary>
/// One replica's signals, as <see cref="ClusterSignals"/> runs them in a host: its own data source on a PostgreSQL
/// database, a cluster scope, a captured log, and - once listening - a Quartz scheduler to wake (in memory: what is
/// tested here is that the wake call is made, counted by <see cref="ClusterSignals.Wakes"/>).
/// </summary>
internal sealed class SignalReplica : IAsyncDisposable
{
    private readonly List<Guid> _cancels = [];
    private IScheduler? _scheduler;

    private SignalReplica(string connectionString, string scope)
    {
        var (factory, log) = CapturedLog.Factory();
        Log = log;
        Signals = new ClusterSignals(() => (NpgsqlDataSource.Create(connectionString), scope), factory.CreateLogger(Logging.OrchestrationLog.Category), TimeProvider.System);
        Signals.CancelRequested += id =>
        {
            lock (_cancels)
            {
                _cancels.Add(id);
            }
        };
    }

    public ClusterSignals Signals { get; }

    public CapturedLog Log { get; }

    /// <summary>The run ids this replica's <see cref="ClusterSignals.CancelRequested"/> reported, in order.</summary>
    public IReadOnlyList<Guid> Cancels
    {
        get
        {
            lock (_cancels)
            {
                return [.. _cancels];
            }
        }
    }

    /// <summary>A replica that sends only (a client process).</summary>
    public static SignalReplica Sender(string connectionString, string scope = "app\nqrtz_") => new(connectionString, scope);

    /// <summary>A replica that listens, its first LISTEN done.</summary>
    public static async Task<SignalReplica> ListeningAsync(string connectionString, string scope = "app\nqrtz_")
    {
        var replica = new SignalReplica(connectionString, scope);
        replica._scheduler = await QuartzSchedulers.InMemoryAsync().ConfigureAwait(false);
        await Eventually.Within(replica.Signals.StartListeningAsync(replica._scheduler, CancellationToken.None)).ConfigureAwait(false);
        Assert.That(replica.Signals.IsListening, Is.True, "listening once started");
        // The wake that follows every (re)connection, so a test counts only the wakes it caused.
        await Eventually.Until(() => replica.Signals.Wakes >= 1, "the wake after the first LISTEN").ConfigureAwait(false);
        return replica;
    }

    public async ValueTask DisposeAsync()
    {
        await Signals.DisposeAsync().ConfigureAwait(false);
        if (_scheduler is not null)
        {
            await _scheduler.Shutdown().ConfigureAwait(false);
        }
    }
}

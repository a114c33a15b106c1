using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using Flows.Orchestration.Hosting;
using Flows.Orchestration.Logging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Quartz;

namespace Flows.Orchestration.Cluster;

/// <summary>
/// The replicas' fast path over PostgreSQL <c>LISTEN</c>/<c>NOTIFY</c>, beside Quartz's polling: "work arrived" wakes
/// every listening scheduler thread so a queued run starts at once instead of after the scheduler's idle wait, and
/// "cancel run X" reaches the replica running X at once instead of on its next cluster check-in. Signals only speed
/// things up: a lost one (the database away, a replica restarting) costs the idle wait or the check-in, never work.
/// </summary>
/// <remarks>
/// <para>
/// The channels are named for the cluster (the Quartz scheduler's name, the job store's table prefix and schema, hashed
/// into an identifier), so two applications sharing a database never wake each other. One dedicated connection per
/// replica listens; when the database goes away it reconnects with backoff, logging once per outage, and wakes its
/// scheduler on reconnecting, since work may have arrived meanwhile.
/// </para>
/// <para>
/// A wake is <c>IScheduler.ResumeTriggerGroups</c> of a group no trigger is in: in Quartz 4.7 the calls that take keys
/// (unschedule, resume a trigger) signal the scheduler thread only when they changed something, while the group
/// pauses and resumes always signal it, and resuming an empty group is the one that writes nothing (one transaction:
/// the job store's trigger lock, a delete of no paused-group row, a select of no trigger). Bursts are coalesced: while
/// one wake is in progress or within <see cref="WakeSpacing"/> of it, further notifications fold into a single trailing
/// wake.
/// </para>
/// <para>With a job store that is not PostgreSQL every method is a no-op and <see cref="CancelRequested"/> never fires.</para>
/// </remarks>
internal sealed class ClusterSignals : IAsyncDisposable, IDisposable
{
    /// <summary>
    /// How long an idle replica of a clustered PostgreSQL job store waits before it asks the store for due triggers
    /// again. Queued work does not wait for it (its notification wakes the scheduler), nor do scheduled slots (a
    /// replica acquires the triggers due within this wait ahead of time); it bounds how late a replica notices work
    /// whose signal was lost (the database away, a replica restarting) or a trigger another process wrote, and it sets
    /// idle replicas' store load. Measured on an idle replica (all transactions per second on its database, with the run
    /// store's former 10 s heartbeat): 1 s 3.7/s, 5 s 1.9/s, 30 s 1.85/s. Five seconds costs almost nothing over
    /// Quartz's default of 30 s and keeps a lost signal's delay short.
    /// </summary>
    internal static readonly TimeSpan IdleWaitTime = TimeSpan.FromSeconds(5);

    /// <summary>The least time between two wake calls of one replica (a burst of notifications is one or two wakes per spacing).</summary>
    internal static readonly TimeSpan WakeSpacing = TimeSpan.FromMilliseconds(25);

    /// <summary>The first pause before reconnecting after the connection was lost; doubled per failed attempt up to <see cref="MaxBackoff"/>.</summary>
    internal static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest pause between two reconnection attempts: how long after the database is back a replica may still be deaf.</summary>
    internal static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    /// <summary>How long the listening connection may stay silent before it is asked a trivial query, so a half-open connection is noticed.</summary>
    internal static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(30);

    private const string WorkPrefix = "flows_work_";

    /// <summary>A trigger group no trigger is in: resuming it changes nothing but signals the scheduler thread.</summary>
    private static readonly GroupMatcher<TriggerKey> WakeGroup = GroupMatcher<TriggerKey>.GroupEquals("flows-wake");
    private const string CancelPrefix = "flows_cancel_";

    private readonly Func<(NpgsqlDataSource? DataSource, string Scope)> _resolve;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<bool> _wakeRequests = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Lock _resolving = new();
    private readonly TaskCompletionSource _firstListen = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private (NpgsqlDataSource? DataSource, string Scope)? _resolved;
    private (string Work, string Cancel)? _channels;
    private IScheduler? _scheduler;
    private Task _listening = Task.CompletedTask;
    private Task _waking = Task.CompletedTask;
    private long _wakes;
    private long _failedConnects;
    private int _listeningNow;
    private int _disposed;

    /// <param name="resolve">
    /// Called once, on first use: the data source of the PostgreSQL job store (owned and disposed by this instance), or
    /// null when the job store is not PostgreSQL; and the cluster's scope (its scheduler name and table prefix).
    /// </param>
    /// <param name="logger">Where the connection's losses and recoveries are logged (once per outage).</param>
    /// <param name="time">The clock of the reconnection backoff and the wake spacing.</param>
    internal ClusterSignals(Func<(NpgsqlDataSource? DataSource, string Scope)> resolve, ILogger logger, TimeProvider time)
    {
        _resolve = resolve;
        _logger = logger;
        _time = time;
    }

    /// <summary>Raised on every listening replica, the sender included, when a cancellation of a run was requested anywhere; the argument is the run id.</summary>
    public event Action<Guid>? CancelRequested;

    /// <summary>How many times this replica has woken its scheduler thread (tests and the health report read it).</summary>
    internal long Wakes => Interlocked.Read(ref _wakes);

    /// <summary>How many attempts to (re)connect the listening connection have failed (tests read it).</summary>
    internal long FailedConnects => Interlocked.Read(ref _failedConnects);

    /// <summary>Whether <see cref="StartListeningAsync"/> has started listening (a PostgreSQL job store, a serving replica).</summary>
    internal bool IsStarted => Volatile.Read(ref _scheduler) is not null && IsEnabled;

    /// <summary>Whether the listening connection is up now.</summary>
    internal bool IsListening => Volatile.Read(ref _listeningNow) == 1;

    /// <summary>Whether the job store is PostgreSQL, so signals are sent and received at all.</summary>
    internal bool IsEnabled => Resolved().DataSource is not null;

    /// <summary>The instance AddOrchestration registers: it follows the job store the host's scheduler uses.</summary>
    internal static ClusterSignals Create(IServiceProvider services)
    {
        var holder = services.GetRequiredService<OrchestrationScheduler>();
        var logger = (services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger(OrchestrationLog.Category);
        return new ClusterSignals(
            () =>
            {
                var options = holder.Options;
                var (provider, connection) = OrchestrationScheduler.ResolveJobStore(options, holder.Engine.Store, services.GetService<IConfiguration>());
                if (provider != JobStoreProvider.PostgreSql || !options.JobStore.Clustered)
                {
                    return (null, "");
                }

                var dataSource = connection is null ? OrchestrationScheduler.RunStoreDataSource(holder.Engine.Store) : NpgsqlDataSource.Create(connection);
                return (dataSource, holder.SchedulerName + "\n" + options.JobStore.TablePrefix);
            },
            logger,
            holder.Engine.TimeProvider);
    }

    /// <summary>Tells every listening replica that work arrived in <paramref name="queue"/> (call after the queued run's job is stored).</summary>
    public Task NotifyWorkAsync(string queue, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queue);
        return SendAsync(c => c.Work, queue, "work", cancellationToken);
    }

    /// <summary>Tells every listening replica that run <paramref name="runId"/> is to be cancelled (call after the request is recorded).</summary>
    public Task NotifyCancelAsync(Guid runId, CancellationToken cancellationToken) =>
        SendAsync(c => c.Cancel, runId.ToString("D", CultureInfo.InvariantCulture), "cancel", cancellationToken);

    /// <summary>
    /// Starts listening (once): work notifications wake <paramref name="scheduler"/>, cancel notifications raise
    /// <see cref="CancelRequested"/>. Returns once the first attempt to listen has succeeded or failed (a failure is
    /// logged and retried in the background); never throws for an unreachable database.
    /// </summary>
    public async Task StartListeningAsync(IScheduler scheduler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        if (Resolved().DataSource is not { } dataSource || Interlocked.CompareExchange(ref _scheduler, scheduler, null) is not null)
        {
            return;
        }

        _waking = Task.Run(() => WakeLoopAsync(scheduler, _stop.Token), CancellationToken.None);
        _listening = Task.Run(() => ListenLoopAsync(dataSource, _stop.Token), CancellationToken.None);
        await _firstListen.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Asks for one wake of the scheduler thread; folded into one already pending.</summary>
    internal void RequestWake() => _wakeRequests.Writer.TryWrite(true);

    /// <summary>
    /// For a container disposed synchronously: stops listening and waking without waiting for the loops (they end on
    /// the cancellation, their connection's failure caught).
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _stop.Cancel();
        _wakeRequests.Writer.TryComplete();
        _resolved?.DataSource?.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        _wakeRequests.Writer.TryComplete();
        await Task.WhenAll(_listening, _waking).ConfigureAwait(false);
        if (_resolved?.DataSource is { } dataSource)
        {
            await dataSource.DisposeAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    /// <summary>A channel name: a prefix and a hash of the cluster's scope, so any scheduler name or schema makes a valid, short identifier.</summary>
    internal static string ChannelName(string prefix, string scope) =>
        prefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(scope)))[..20];

    private (NpgsqlDataSource? DataSource, string Scope) Resolved()
    {
        if (_resolved is { } resolved)
        {
            return resolved;
        }

        lock (_resolving)
        {
            _resolved ??= _resolve();
            return _resolved.Value;
        }
    }

    private async Task SendAsync(Func<(string Work, string Cancel), string> channel, string payload, string signal, CancellationToken cancellationToken)
    {
        if (Resolved().DataSource is not { } dataSource)
        {
            return;
        }

        try
        {
            var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                var channels = await ChannelsAsync(connection, cancellationToken).ConfigureAwait(false);
                var command = new NpgsqlCommand("SELECT pg_notify($1, $2)", connection) { Parameters = { new() { Value = channel(channels) }, new() { Value = payload } } };
                await using (command.ConfigureAwait(false))
                {
                    await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException)
        {
            // The work or the request is recorded already: without the signal it is taken on the next acquisition
            // (the scheduler's idle wait) or the next cluster check-in.
            _logger.SignalNotSent(signal, e.Message);
        }
    }

    /// <summary>The cluster's two channels, named on first use with the schema the job store's connection works in.</summary>
    private async Task<(string Work, string Cancel)> ChannelsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        if (_channels is { } known)
        {
            return known;
        }

        var command = new NpgsqlCommand("SELECT current_schema()", connection);
        await using (command.ConfigureAwait(false))
        {
            var schema = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string ?? "";
            var scope = Resolved().Scope + "\n" + schema;
            var channels = (ChannelName(WorkPrefix, scope), ChannelName(CancelPrefix, scope));
            _channels = channels;
            return channels;
        }
    }

    private async Task ListenLoopAsync(NpgsqlDataSource dataSource, CancellationToken stop)
    {
        var backoff = MinBackoff;
        long? lostAt = null;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var connection = await dataSource.OpenConnectionAsync(stop).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    var channels = await ChannelsAsync(connection, stop).ConfigureAwait(false);
                    connection.Notification += (_, e) => OnNotification(channels, e);
                    var listen = new NpgsqlCommand($"LISTEN \"{channels.Work}\"; LISTEN \"{channels.Cancel}\"", connection);
                    await using (listen.ConfigureAwait(false))
                    {
                        await listen.ExecuteNonQueryAsync(stop).ConfigureAwait(false);
                    }

                    Volatile.Write(ref _listeningNow, 1);
                    if (lostAt is { } since)
                    {
                        _logger.SignalsRestored(_time.GetElapsedTime(since));
                        lostAt = null;
                    }
                    else if (!_firstListen.Task.IsCompleted)
                    {
                        _logger.SignalsListening();
                    }

                    backoff = MinBackoff;
                    _firstListen.TrySetResult();
                    // Work may have arrived while this replica was not listening (starting, or reconnecting).
                    RequestWake();
                    await WaitForNotificationsAsync(connection, stop).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                Volatile.Write(ref _listeningNow, 0);
                Interlocked.Increment(ref _failedConnects);
                if (lostAt is null)
                {
                    lostAt = _time.GetTimestamp();
                    _logger.SignalsLost(e.Message, MaxBackoff);
                }

                _firstListen.TrySetResult();
                try
                {
                    await Task.Delay(backoff, _time, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                backoff = backoff * 2 < MaxBackoff ? backoff * 2 : MaxBackoff;
            }
        }

        Volatile.Write(ref _listeningNow, 0);
    }

    /// <summary>Receives notifications until the connection fails (throws) or <paramref name="stop"/>; a silent connection is asked a trivial query now and then so a dead one is noticed.</summary>
    private static async Task WaitForNotificationsAsync(NpgsqlConnection connection, CancellationToken stop)
    {
        while (true)
        {
            if (!await connection.WaitAsync(KeepAlive, stop).ConfigureAwait(false))
            {
                var ping = new NpgsqlCommand("SELECT 1", connection);
                await using (ping.ConfigureAwait(false))
                {
                    await ping.ExecuteNonQueryAsync(stop).ConfigureAwait(false);
                }
            }
        }
    }

    private void OnNotification((string Work, string Cancel) channels, NpgsqlNotificationEventArgs e)
    {
        if (e.Channel == channels.Work)
        {
            RequestWake();
        }
        else if (e.Channel == channels.Cancel && Guid.TryParse(e.Payload, CultureInfo.InvariantCulture, out var runId))
        {
            try
            {
                CancelRequested?.Invoke(runId);
            }
            catch (Exception failure)
            {
                // The listener must survive a handler's bug: the next signal still has to arrive.
                _logger.CancelSignalFailed(failure, runId);
            }
        }
    }

    private async Task WakeLoopAsync(IScheduler scheduler, CancellationToken stop)
    {
        try
        {
            while (await _wakeRequests.Reader.WaitToReadAsync(stop).ConfigureAwait(false))
            {
                _wakeRequests.Reader.TryRead(out _);
                if (scheduler.Status is SchedulerStatus.Shutdown or SchedulerStatus.ShuttingDown)
                {
                    return;
                }

                try
                {
                    // Resumes nothing (no trigger is in this group, and it is never paused); Quartz signals its scheduler
                    // thread after any group resume, which then acquires at once.
                    await scheduler.ResumeTriggerGroups(WakeGroup, stop).ConfigureAwait(false);
                    Interlocked.Increment(ref _wakes);
                }
                catch (SchedulerException e)
                {
                    // The job store is unreachable (the scheduler thread retries by itself) or the scheduler is stopping.
                    _logger.WakeFailed(e.Message);
                }

                await Task.Delay(WakeSpacing, _time, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Disposed.
        }
    }
}

using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using Flows.Runs;

namespace Flows.Stores.Sql;

/// <summary>
/// Ownership: this store's owner row and heartbeat on the database's clock, the sweep that marks the runs of gone owners
/// <see cref="RunState.Crashed"/>, and putting back the runs a peer wrongly marked while this process was alive.
/// </summary>
public abstract partial class SqlRunStore : IRunOwners
{
    /// <summary>How often this store instance shows it is alive (and sweeps for gone owners twice as often).</summary>
    public TimeSpan HeartbeatInterval => _heartbeatInterval;

    /// <summary>How long an owner may go without a heartbeat, on the database's clock, before its unfinished runs count as crashed.</summary>
    public TimeSpan HeartbeatTimeout => _heartbeatTimeout;

    /// <summary>How often this store sweeps for gone owners: twice per heartbeat, so a lapse is found at most half an interval late.</summary>
    private TimeSpan SweepPeriod => _heartbeatInterval / 2;

    /// <summary>The latest run of ticks (beats and sweeps) under way, for tests that advance a fake clock and wait for what it set off.</summary>
    internal Task Ticking => Volatile.Read(ref _ticking);

    /// <inheritdoc />
    /// <remarks>Runs on open and on every tick of the heartbeat timer (<see cref="HeartbeatInterval"/> / 2).</remarks>
    public async Task<int> MarkCrashedRunsAsync(CancellationToken cancellationToken = default)
    {
        await OpenedAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        return await MarkCrashedCoreAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<int> MarkCrashedCoreAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var now = TimeProvider.GetUtcNow();
        var judgesLapses = JudgesLapses(now);

        // Lapsed is decided by the database, on its clock (see NowSql): the clocks of the processes may disagree.
        var owners = await ReadAsync(
            connection,
            null,
            $"SELECT id, machine, pid, process_started_at, heartbeat_at, CASE WHEN heartbeat_at < {NowSql} - @timeout THEN 1 ELSE 0 END FROM {Owners} WHERE id <> @me",
            [("me", Id(OwnerId)), ("now", Time(now)), ("timeout", Duration(_heartbeatTimeout))],
            r => (Owner: new StoreOwner(r.GetGuid(0), r.GetString(1), r.GetInt32(2), r.IsDBNull(3) ? null : ReadTime(r, 3), Convert.ToInt64(r.GetValue(5), CultureInfo.InvariantCulture) != 0), HeartbeatAt: r.GetValue(4)),
            cancellationToken).ConfigureAwait(false);

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var gone = new Dictionary<Guid, StoreOwner>();
        foreach (var (owner, heartbeatAt) in owners)
        {
            // Unless it has beaten since it was read: then it is alive after all.
            if (IsGone(owner, judgesLapses)
                && await ExecuteAsync(
                    connection, transaction, $"DELETE FROM {Owners} WHERE id = @id AND heartbeat_at = @seen", [("id", Id(owner.Id)), ("seen", heartbeatAt)], cancellationToken).ConfigureAwait(false) > 0)
            {
                gone[owner.Id] = owner;
            }
        }

        // Every unfinished run whose owner is no longer registered: those of the owners just removed, and those
        // of owners that shut down while a run was still ending. Never this store's own: its process is alive.
        // One update per owner, so each crash names the process that ran it.
        var orphaned = string.Format(CultureInfo.InvariantCulture, Orphaned, Owners);
        var orphanOwners = await ReadAsync(
            connection,
            transaction,
            $"SELECT DISTINCT owner_id FROM {Runs} WHERE {orphaned}",
            [("me", Id(OwnerId))],
            r => r.IsDBNull(0) ? (Guid?)null : r.GetGuid(0),
            cancellationToken).ConfigureAwait(false);
        var crashed = 0;
        foreach (var ownerId in orphanOwners)
        {
            var ofOwner = ownerId is null ? $"{orphaned} AND owner_id IS NULL" : $"{orphaned} AND owner_id = @owner";
            var parameters = new (string, object?)[]
            {
                ("state", (int)RunState.Crashed), ("now", Time(now)), ("me", Id(OwnerId)), ("owner", ownerId is { } id ? Id(id) : null),
                ("message", CrashMessage(ownerId, ownerId is { } known ? gone.GetValueOrDefault(known) : null)),
            };
            await ExecuteAsync(
                connection,
                transaction,
                $"INSERT INTO {Types.Table("flows_transitions")} (run_id, state, at, attempt, message) SELECT id, @state, @now, attempt, @message FROM {Runs} WHERE {ofOwner}",
                parameters,
                cancellationToken).ConfigureAwait(false);
            crashed += await ExecuteAsync(
                connection,
                transaction,
                $"UPDATE {Runs} SET state = @state, ended_at = @now, error = @message WHERE {ofOwner}",
                parameters,
                cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return crashed;
    }

    /// <summary>Unfinished runs whose owner is not registered, never this store's own; <c>{0}</c> is the owners table.</summary>
    private const string Orphaned = SqlSchema.Unfinished + " AND (owner_id IS NULL OR (owner_id <> @me AND owner_id NOT IN (SELECT id FROM {0})))";

    /// <summary>Why a run is Crashed: the process that ran it (as far as its owner row told), and the one that found it gone.</summary>
    private string CrashMessage(Guid? ownerId, StoreOwner? owner)
    {
        var process = owner is not null
            ? $"{owner.Machine}, pid {owner.ProcessId.ToString(CultureInfo.InvariantCulture)}, store owner {owner.Id}, {(owner.Lapsed ? "its heartbeat lapsed for longer than " + Seconds(_heartbeatTimeout) : "its process no longer exists")}"
            : ownerId is { } id ? $"store owner {id}, no longer registered" : "no store owner recorded";
        return $"The process running it stopped before it finished ({process}); found by {Environment.MachineName}, pid {Environment.ProcessId}, store owner {OwnerId}.";
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";

    /// <summary>
    /// Whether this store may take a lapsed heartbeat for a death now: only once it has itself been in touch with the
    /// database, beat after beat, for at least the heartbeat timeout. After an outage (the database away, or this
    /// process cut off from it or paused) every owner's heartbeat looks lapsed; waiting a timeout of clean beats gives
    /// each live owner the chance to beat again before anyone is judged, and a process that was itself cut off never
    /// convicts its peers for the gap it shared with them.
    /// </summary>
    private bool JudgesLapses(DateTimeOffset now)
    {
        lock (_contactLock)
        {
            return _inTouchSince is { } since && now - since >= _heartbeatTimeout && now - _lastContact <= _heartbeatTimeout;
        }
    }

    /// <summary>
    /// This store reached the database (opened, beat). Its time in touch starts again when it had been out of touch,
    /// when its last contact is older than the heartbeat timeout (the process was paused: its peers may have been out
    /// of touch too), or when <paramref name="afresh"/> (a peer had taken it for gone).
    /// </summary>
    private void InTouch(bool afresh = false)
    {
        var now = TimeProvider.GetUtcNow();
        lock (_contactLock)
        {
            if (afresh || _inTouchSince is null || now - _lastContact > _heartbeatTimeout)
            {
                _inTouchSince = now;
            }

            _lastContact = now;
        }
    }

    /// <summary>A tick failed: out of touch, and after a transient failure the pool's idle connections, most likely dead too, are dropped.</summary>
    private void Lost(Exception error)
    {
        OutOfTouch();
        if (IsTransient(error))
        {
            DiscardIdleConnections();
        }
    }

    /// <summary>A beat or a write could not reach the database: no lapse is judged until a heartbeat timeout of clean beats has passed again.</summary>
    private void OutOfTouch()
    {
        lock (_contactLock)
        {
            _inTouchSince = null;
        }
    }

    /// <summary>Registers this store's owner row (with what this process serves, when described), or refreshes its heartbeat when it is there already.</summary>
    private Task<int> RegisterAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken) =>
        ExecuteAsync(
            connection,
            transaction,
            $"INSERT INTO {Owners} (id, machine, pid, process_started_at, started_at, heartbeat_at, roles) VALUES (@id, @machine, @pid, @process, {NowSql}, {NowSql}, @roles) "
            + "ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at, roles = excluded.roles",
            [
                ("id", Id(OwnerId)), ("machine", Environment.MachineName), ("pid", Environment.ProcessId),
                ("process", ProcessStartedAt is { } start ? Time(start) : null), ("now", Time(TimeProvider.GetUtcNow())), ("roles", Volatile.Read(ref _roles)),
            ],
            cancellationToken);

    /// <summary>
    /// Before a write, in its transaction: when a peer has removed this store's owner row, registers again and puts
    /// back the live runs the peer marked crashed, so their transitions read in the order things happened. Where the
    /// database needs it, the row is then held until the write commits, so a peer cannot remove it half-way.
    /// </summary>
    private async Task EnsureRegisteredAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _disposed) == 0
            && await ScalarAsync(connection, transaction, $"SELECT 1 FROM {Owners} WHERE id = @me{LockOwnerSql}", [("me", Id(OwnerId))], cancellationToken).ConfigureAwait(false) is null or DBNull)
        {
            await RegisterAgainAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Registers this store again after a peer removed its owner row (it took a lapse of the heartbeat for a death:
    /// the process was paused, asleep, or cut off from the database), and puts back each run the peer marked crashed
    /// that this process still runs: its state as this process last wrote it, with a transition that says so.
    /// </summary>
    private async Task RegisterAgainAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        await RegisterAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        var wronglyCrashed = new List<(RunRecord Run, string? Error, DateTimeOffset? At)>();
        foreach (var chunk in _live.Values.Chunk(500))
        {
            var live = chunk.ToDictionary(r => r.Id);
            var ids = chunk.Select((run, i) => ("r" + i.ToString(CultureInfo.InvariantCulture), Id(run.Id))).ToList();
            var crashed = await ReadAsync(
                connection,
                transaction,
                $"SELECT id, error, ended_at FROM {Runs} WHERE state = @crashed AND owner_id = @me AND id IN ({string.Join(", ", ids.Select(p => "@" + p.Item1))})",
                [("crashed", (int)RunState.Crashed), ("me", Id(OwnerId)), .. ids],
                r => (Run: live[r.GetGuid(0)], Error: Text(r, 1), At: r.IsDBNull(2) ? (DateTimeOffset?)null : ReadTime(r, 2)),
                cancellationToken).ConfigureAwait(false);
            wronglyCrashed.AddRange(crashed);
        }

        if (wronglyCrashed.Count == 0)
        {
            return;
        }

        var now = TimeProvider.GetUtcNow();
        var putBack = new RunWriteBatch
        {
            Runs = [.. wronglyCrashed.Select(c => c.Run)],
            Transitions = [.. wronglyCrashed.Select(c => new StateTransition(c.Run.Id, c.Run.State, now, c.Run.Attempt, PutBackMessage(c.Run.State, c.At, c.Error)))],
        };
        await WriteRowsAsync(connection, transaction, putBack, cancellationToken).ConfigureAwait(false);
    }

    private string PutBackMessage(RunState state, DateTimeOffset? crashedAt, string? crash) =>
        $"Put back to {state}: it was wrongly marked Crashed at {crashedAt?.ToString("O", CultureInfo.InvariantCulture) ?? "an unknown time"} "
        + $"(\"{crash}\"). The process running it ({Environment.MachineName}, pid {Environment.ProcessId}, store owner {OwnerId}) is alive; "
        + "it had not shown so for longer than the heartbeat timeout (it was paused, asleep or cut off from the database), so a peer took it for gone.";

    /// <summary>Remembers which runs this store's process is still running, as it last wrote them.</summary>
    private void Track(IReadOnlyList<RunRecord> runs)
    {
        foreach (var run in runs)
        {
            if (run.State.IsFinal())
            {
                _live.TryRemove(run.Id, out _);
            }
            else
            {
                _live[run.Id] = run;
            }
        }
    }

    /// <summary>Whether this store last wrote the run as unfinished: its row exists, and a write of it replaces that row.</summary>
    protected bool IsLive(Guid runId) => _live.ContainsKey(runId);

    /// <summary>
    /// The heartbeat timer's tick, every <see cref="SweepPeriod"/>: ticks run one at a time, and ticks that come while
    /// one runs (a slow database, a fake clock advanced by much) make one more run after it, not a queue.
    /// </summary>
    private void OnTick()
    {
        while (true)
        {
            var state = Volatile.Read(ref _tickState);
            if (state == 2)
            {
                return;
            }

            if (Interlocked.CompareExchange(ref _tickState, state + 1, state) == state)
            {
                if (state == 0)
                {
                    Volatile.Write(ref _ticking, TickWhileWantedAsync());
                }

                return;
            }
        }
    }

    private async Task TickWhileWantedAsync()
    {
        do
        {
            await TickAsync().ConfigureAwait(false);
        }
        while (Interlocked.Decrement(ref _tickState) > 0);
    }

    /// <summary>One tick: a heartbeat when one is due, then, unless the heartbeat failed, a sweep for gone owners.</summary>
    private async Task TickAsync()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        var now = TimeProvider.GetUtcNow();
        if (now >= _nextBeatAt)
        {
            // Due a little early rather than a tick late: the ticks that beat are every other one.
            _nextBeatAt = now + _heartbeatInterval - (SweepPeriod / 2);
            if (!await BeatAsync().ConfigureAwait(false))
            {
                return;
            }
        }

        try
        {
            await MarkCrashedCoreAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DbException or RunStoreException or ObjectDisposedException)
        {
            // A missed sweep is made on the next tick.
            Lost(ex);
        }
    }

    /// <summary>Writes this owner's heartbeat; true when it landed.</summary>
    private async Task<bool> BeatAsync()
    {
        try
        {
            await using var connection = await ConnectAsync(CancellationToken.None).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(CancellationToken.None).ConfigureAwait(false);
            var beaten = await ExecuteAsync(
                connection,
                transaction,
                $"UPDATE {Owners} SET heartbeat_at = {NowSql}, roles = @roles WHERE id = @me",
                [("me", Id(OwnerId)), ("now", Time(TimeProvider.GetUtcNow())), ("roles", Volatile.Read(ref _roles))],
                CancellationToken.None).ConfigureAwait(false);
            var takenForGone = beaten == 0 && Volatile.Read(ref _disposed) == 0;
            if (takenForGone)
            {
                await RegisterAgainAsync(connection, transaction, CancellationToken.None).ConfigureAwait(false);
            }

            await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
            InTouch(afresh: takenForGone);
            return true;
        }
        catch (Exception ex) when (ex is DbException or RunStoreException or ObjectDisposedException)
        {
            // A missed heartbeat is retried on the next tick; a store that stays unreachable fails the writes that need it.
            Lost(ex);
            return false;
        }
    }

    private static DateTimeOffset? ProcessStart()
    {
        try
        {
            using var process = Process.GetCurrentProcess();
            return process.StartTime.ToUniversalTime();
        }
        catch (Exception ex) when (ex is InvalidOperationException or NotSupportedException or System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}

/// <summary>A registered store instance: where it runs, and whether its heartbeat lapsed on the database's clock.</summary>
internal sealed record StoreOwner(Guid Id, string Machine, int ProcessId, DateTimeOffset? ProcessStartedAt, bool Lapsed);

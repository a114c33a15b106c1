using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using Flows.Runs;

namespace Flows.Stores.Sql;

/// <summary>
/// Ownership: this store's owner row and heartbeat on the database's clock, the sweep that marks the runs of gone owners
/// <see cref="RunState.Crashed"/>, and putting back the runs a peer wrongly marked while this process was alive.
/// </summary>
public abstract partial class SqlRunStore
{
    /// <summary>Marks unfinished runs of owners that are gone as crashed; returns how many. Runs on open and every heartbeat.</summary>
    public async Task<int> MarkCrashedRunsAsync(CancellationToken cancellationToken = default)
    {
        await OpenedAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        return await MarkCrashedCoreAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<int> MarkCrashedCoreAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var now = TimeProvider.GetUtcNow();

        // Lapsed is decided by the database, on its clock (see NowSql): the clocks of the processes may disagree.
        var owners = await ReadAsync(
            connection,
            null,
            $"SELECT id, machine, pid, process_started_at, heartbeat_at, CASE WHEN heartbeat_at < {NowSql} - @timeout THEN 1 ELSE 0 END FROM {Owners} WHERE id <> @me",
            [("me", Id(OwnerId)), ("now", Time(now)), ("timeout", Duration(_heartbeatTimeout))],
            r => (Owner: new StoreOwner(r.GetGuid(0), r.GetString(1), r.GetInt32(2), r.IsDBNull(3) ? null : ReadTime(r, 3), Convert.ToInt64(r.GetValue(5), CultureInfo.InvariantCulture) != 0), HeartbeatAt: r.GetValue(4)),
            cancellationToken).ConfigureAwait(false);

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (owner, heartbeatAt) in owners)
        {
            if (IsGone(owner))
            {
                // Unless it has beaten since it was read: then it is alive after all.
                await ExecuteAsync(
                    connection, transaction, $"DELETE FROM {Owners} WHERE id = @id AND heartbeat_at = @seen", [("id", Id(owner.Id)), ("seen", heartbeatAt)], cancellationToken).ConfigureAwait(false);
            }
        }

        // Every unfinished run whose owner is no longer registered: those of the owners just removed, and those
        // of owners that shut down while a run was still ending. Never this store's own: its process is alive.
        const string Orphaned = SqlSchema.Unfinished + " AND (owner_id IS NULL OR (owner_id <> @me AND owner_id NOT IN (SELECT id FROM {0})))";
        var orphaned = string.Format(CultureInfo.InvariantCulture, Orphaned, Owners);
        var parameters = new (string, object?)[] { ("state", (int)RunState.Crashed), ("now", Time(now)), ("message", _crashMessage), ("me", Id(OwnerId)) };
        await ExecuteAsync(
            connection,
            transaction,
            $"INSERT INTO {Types.Table("flows_transitions")} (run_id, state, at, attempt, message) SELECT id, @state, @now, attempt, @message FROM {Runs} WHERE {orphaned}",
            parameters,
            cancellationToken).ConfigureAwait(false);
        var crashed = await ExecuteAsync(
            connection,
            transaction,
            $"UPDATE {Runs} SET state = @state, ended_at = @now, error = @message WHERE {orphaned}",
            parameters,
            cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return crashed;
    }

    /// <summary>Registers this store's owner row, or refreshes its heartbeat when it is there already.</summary>
    private Task<int> RegisterAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken) =>
        ExecuteAsync(
            connection,
            transaction,
            $"INSERT INTO {Owners} (id, machine, pid, process_started_at, started_at, heartbeat_at) VALUES (@id, @machine, @pid, @process, {NowSql}, {NowSql}) "
            + "ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at",
            [
                ("id", Id(OwnerId)), ("machine", Environment.MachineName), ("pid", Environment.ProcessId),
                ("process", ProcessStartedAt is { } start ? Time(start) : null), ("now", Time(TimeProvider.GetUtcNow())),
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

    private async Task BeatAsync()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        try
        {
            await using (var connection = await ConnectAsync(CancellationToken.None).ConfigureAwait(false))
            await using (var transaction = await connection.BeginTransactionAsync(CancellationToken.None).ConfigureAwait(false))
            {
                var beaten = await ExecuteAsync(
                    connection,
                    transaction,
                    $"UPDATE {Owners} SET heartbeat_at = {NowSql} WHERE id = @me",
                    [("me", Id(OwnerId)), ("now", Time(TimeProvider.GetUtcNow()))],
                    CancellationToken.None).ConfigureAwait(false);
                if (beaten == 0 && Volatile.Read(ref _disposed) == 0)
                {
                    await RegisterAgainAsync(connection, transaction, CancellationToken.None).ConfigureAwait(false);
                }

                await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
            }

            await MarkCrashedCoreAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DbException or RunStoreException or ObjectDisposedException)
        {
            // A missed heartbeat is retried on the next tick; a store that stays unreachable fails the writes that need it.
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

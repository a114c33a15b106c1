using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Flows.Runs;

namespace Flows.Stores.Sql;

/// <summary>Writes: a batch in one transaction, as one insert per table (or a store's bulk path), each row replacing or appending as its table says.</summary>
public abstract partial class SqlRunStore
{
    private const ColumnKind I = ColumnKind.Id, N = ColumnKind.Integer, T = ColumnKind.Text, W = ColumnKind.Time;

    /// <inheritdoc />
    public async ValueTask WriteAsync(RunWriteBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.IsEmpty)
        {
            return;
        }

        // A NUL would make PostgreSQL refuse the whole batch; both stores keep it as a visible marker instead.
        batch = StorableText.Sanitise(batch);
        try
        {
            await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await EnsureRegisteredAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
            await WriteRowsAsync(connection, transaction, batch, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            Track(batch.Runs);
        }
        catch (DbException ex) when (IsTransient(ex))
        {
            // The other idle connections most likely died with this one (a server restart, a failover): the next
            // attempt should get a fresh one rather than each of them in turn. Nor is a lapse judged for a while.
            DiscardIdleConnections();
            OutOfTouch();
            throw;
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Atomic across processes: <c>INSERT … ON CONFLICT (id) DO NOTHING</c>, and the transition only when that inserted
    /// the row, in one transaction. The created run is not a live run of this process (see <see cref="IsLive"/>).
    /// </remarks>
    public async ValueTask<bool> TryCreateRunAsync(RunRecord run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        var batch = StorableText.Sanitise(RunWriteBatch.Creating(run));
        try
        {
            await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await EnsureRegisteredAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
            if (await InsertRowAsync(connection, transaction, RunsWrite(batch.Runs) with { OnConflict = "ON CONFLICT (id) DO NOTHING" }, cancellationToken).ConfigureAwait(false) == 0)
            {
                return false;
            }

            await InsertRowAsync(connection, transaction, TransitionsWrite(batch.Transitions), cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);

            // Not tracked as live: a created run waits for whichever process starts it, and that one's writes track it.
            return true;
        }
        catch (DbException ex) when (IsTransient(ex))
        {
            DiscardIdleConnections();
            throw;
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Atomic across processes: <c>UPDATE … SET state = Pending, owner_id = this store WHERE id = @id AND state IN
    /// (Scheduled, Late)</c>, and the transitions only when that changed the row, in one transaction. The claimed run
    /// is not tracked as live here: the engine's first write of it does that.
    /// </remarks>
    public ValueTask<bool> TryStartRunAsync(Guid runId, IReadOnlyList<StateTransition> transitions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transitions);
        return TryMoveRunAsync(
            $"UPDATE {Runs} SET state = @pending, owner_id = @me WHERE id = @id AND state IN (@scheduled, @late)",
            [("pending", (int)RunState.Pending), ("me", Id(OwnerId)), ("id", Id(runId)), ("scheduled", (int)RunState.Scheduled), ("late", (int)RunState.Late)],
            transitions,
            cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Atomic across processes: <c>UPDATE … SET state = Pending, attempt = @attempt + 1, owner_id = this store WHERE id =
    /// @id AND state = Crashed AND attempt = @attempt</c>, and the transitions only when that changed the row, in one
    /// transaction. As with <see cref="TryStartRunAsync"/>, the engine's first write of the run tracks it as live.
    /// </remarks>
    public ValueTask<bool> TryClaimCrashedRunAsync(Guid runId, int attempt, IReadOnlyList<StateTransition> transitions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transitions);
        return TryMoveRunAsync(
            $"UPDATE {Runs} SET state = @pending, attempt = @next, owner_id = @me, ended_at = NULL, error = NULL, cancel_requested_at = NULL, cancel_reason = NULL WHERE id = @id AND state = @crashed AND attempt = @attempt",
            [("pending", (int)RunState.Pending), ("next", attempt + 1), ("me", Id(OwnerId)), ("id", Id(runId)), ("crashed", (int)RunState.Crashed), ("attempt", attempt)],
            transitions,
            cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Atomic across processes: <c>UPDATE … SET state = Cancelled WHERE id = @id AND state IN (Scheduled, Late)</c>, and
    /// the transition only when that changed the row, in one transaction.
    /// </remarks>
    public ValueTask<bool> TryCancelScheduledRunAsync(Guid runId, StateTransition cancelled, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cancelled);
        var message = StorableText.Sanitise(new RunWriteBatch { Transitions = [cancelled] }).Transitions[0].Message;
        return TryMoveRunAsync(
            $"UPDATE {Runs} SET state = @cancelled, ended_at = @at, error = @message WHERE id = @id AND state IN (@scheduled, @late)",
            [("cancelled", (int)RunState.Cancelled), ("at", Time(cancelled.Timestamp)), ("message", message), ("id", Id(runId)), ("scheduled", (int)RunState.Scheduled), ("late", (int)RunState.Late)],
            [cancelled],
            cancellationToken);
    }

    /// <summary>
    /// A compare-and-set of a run's state: runs <paramref name="update"/> (whose WHERE holds the expected state), and
    /// only when it changed the row appends <paramref name="transitions"/>, in one transaction; true when it did.
    /// </summary>
    private async ValueTask<bool> TryMoveRunAsync(string update, (string, object?)[] parameters, IReadOnlyList<StateTransition> transitions, CancellationToken cancellationToken)
    {
        var batch = StorableText.Sanitise(new RunWriteBatch { Transitions = transitions });
        try
        {
            await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await EnsureRegisteredAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
            if (await ExecuteAsync(connection, transaction, update, parameters, cancellationToken).ConfigureAwait(false) == 0)
            {
                return false;
            }

            if (batch.Transitions.Count > 0)
            {
                await WriteRowsAsync(connection, transaction, batch, cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (DbException ex) when (IsTransient(ex))
        {
            DiscardIdleConnections();
            throw;
        }
    }

    /// <summary>Inserts the first row of <paramref name="table"/>; returns how many rows the insert wrote (0 when its conflict clause skipped it).</summary>
    private Task<int> InsertRowAsync(DbConnection connection, DbTransaction transaction, TableWrite table, CancellationToken cancellationToken)
    {
        var values = Values(table, 0);
        return ExecuteAsync(
            connection, transaction, InsertSql(table, i => "@p" + i.ToString(CultureInfo.InvariantCulture)), values.Select((v, i) => ("p" + i.ToString(CultureInfo.InvariantCulture), v)), cancellationToken);
    }

    /// <summary>Writes a batch inside its transaction: one prepared insert per table, run row by row. Stores may replace this with a bulk path.</summary>
    protected virtual async Task WriteRowsAsync(DbConnection connection, DbTransaction transaction, RunWriteBatch batch, CancellationToken cancellationToken)
    {
        foreach (var table in TableWrites(batch))
        {
            var names = table.Columns.Select((_, i) => "p" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
            await using var command = Command(connection, transaction, InsertSql(table, i => "@" + names[i]), names.Select(n => (n, (object?)null)));
            await command.PrepareAsync(cancellationToken).ConfigureAwait(false);
            for (var row = 0; row < table.Count; row++)
            {
                var values = Values(table, row);
                for (var i = 0; i < values.Length; i++)
                {
                    command.Parameters[i].Value = values[i] ?? DBNull.Value;
                }

                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Row <paramref name="row"/> of a table as database values (<see cref="Id"/>, <see cref="Time"/>), in column order.</summary>
    protected object?[] Values(TableWrite table, int row)
    {
        var values = new ValueRow(this, table.Columns.Length);
        table.Write(row, values);
        return values.Values;
    }

    /// <summary>The insert of one row of a table, its values named by <paramref name="parameter"/> (by column index).</summary>
    protected static string InsertSql(TableWrite table, Func<int, string> parameter) =>
        $"INSERT INTO {table.Table} ({string.Join(", ", table.Columns)}) VALUES ({string.Join(", ", table.Columns.Select((_, i) => parameter(i)))}) {table.OnConflict}";

    /// <summary>
    /// The rows of a batch per table, with their columns' kinds and conflict handling: runs and cache entries
    /// replace the stored row (a run keeps its sequence, its place among runs of the same tick); the rest append.
    /// Each table writes row <c>i</c> to an <see cref="IRowWriter"/>, typed, so a store binds or copies values without boxing them.
    /// </summary>
    protected IEnumerable<TableWrite> TableWrites(RunWriteBatch batch)
    {
        if (batch.Runs.Count > 0)
        {
            yield return RunsWrite(batch.Runs);
        }

        if (batch.Transitions.Count > 0)
        {
            yield return TransitionsWrite(batch.Transitions);
        }

        if (batch.Logs.Count > 0)
        {
            yield return LogsWrite(batch.Logs);
        }

        if (batch.Artifacts.Count > 0)
        {
            yield return new TableWrite(
                Types.Table("flows_artifacts"), ["id", "run_id", "flow_run_id", "key", "kind", "content", "description", "created_at"], [I, I, I, T, N, T, T, W], "ON CONFLICT (id) DO NOTHING", batch.Artifacts.Count,
                (i, w) =>
                {
                    var a = batch.Artifacts[i];
                    w.Id(a.Id);
                    w.Id(a.RunId);
                    w.Id(a.FlowRunId);
                    w.Text(a.Key);
                    w.Integer((int)a.Kind);
                    w.Text(a.Content);
                    w.Text(a.Description);
                    w.Time(a.CreatedAt);
                });
        }

        if (batch.CacheEntries.Count > 0)
        {
            yield return new TableWrite(
                Types.Table("flows_cache"), ["key", "task_name", "result", "run_id", "created_at", "expires_at"], [T, T, T, I, W, W],
                "ON CONFLICT (key) DO UPDATE SET task_name = excluded.task_name, result = excluded.result, run_id = excluded.run_id, created_at = excluded.created_at, expires_at = excluded.expires_at",
                batch.CacheEntries.Count,
                (i, w) =>
                {
                    var c = batch.CacheEntries[i];
                    w.Text(c.Key);
                    w.Text(c.TaskName);
                    w.Text(c.Result);
                    w.Id(c.RunId);
                    w.Time(c.CreatedAt);
                    w.Time(c.ExpiresAt);
                });
        }
    }

    /// <summary>Run snapshots, each replacing the stored row with the same id (see <see cref="WriteRun"/> for the columns).</summary>
    protected TableWrite RunsWrite(IReadOnlyList<RunRecord> runs) => new(
        Runs,
        RunWriteColumns,
        [I, N, T, I, I, N, N, T, T, T, T, T, T, W, W, W, T, W, I],
        "ON CONFLICT (id) DO UPDATE SET state = excluded.state, attempt = excluded.attempt, parameters = excluded.parameters, result = excluded.result, "
        + "cache_key = excluded.cache_key, error = excluded.error, tags = excluded.tags, version = excluded.version, started_at = excluded.started_at, "
        + "ended_at = excluded.ended_at, deployment = excluded.deployment, scheduled_for = excluded.scheduled_for, owner_id = excluded.owner_id",
        runs.Count,
        (i, w) => WriteRun(w, runs[i]));

    /// <summary>State transitions, appended.</summary>
    protected TableWrite TransitionsWrite(IReadOnlyList<StateTransition> transitions) => new(
        Types.Table("flows_transitions"), ["run_id", "state", "at", "attempt", "message"], [I, N, W, N, T], string.Empty, transitions.Count,
        (i, w) =>
        {
            var t = transitions[i];
            w.Id(t.RunId);
            w.Integer((int)t.State);
            w.Time(t.Timestamp);
            w.Integer(t.Attempt);
            w.Text(t.Message);
        });

    /// <summary>Log lines, appended.</summary>
    protected TableWrite LogsWrite(IReadOnlyList<RunLogEntry> logs) => new(
        Types.Table("flows_logs"), ["run_id", "flow_run_id", "at", "level", "category", "message", "exception", "properties"], [I, I, W, N, T, T, T, T], string.Empty, logs.Count,
        (i, w) =>
        {
            var l = logs[i];
            w.Id(l.RunId);
            w.Id(l.FlowRunId);
            w.Time(l.Timestamp);
            w.Integer((int)l.Level);
            w.Text(l.Category);
            w.Text(l.Message);
            w.Text(l.Exception);
            w.Text(l.Properties is null ? null : JsonSerializer.Serialize(l.Properties));
        });

    /// <summary>Collects a row as the database values a parameterised command takes.</summary>
    private sealed class ValueRow(SqlRunStore store, int columns) : IRowWriter
    {
        private int _next;

        public object?[] Values { get; } = new object?[columns];

        public void Id(Guid? value) => Values[_next++] = value is { } id ? store.Id(id) : null;

        public void Integer(int value) => Values[_next++] = value;

        public void Text(string? value) => Values[_next++] = value;

        public void Time(DateTimeOffset? value) => Values[_next++] = value is { } time ? store.Time(time) : null;
    }
}

/// <summary>How a column's values are typed, so a store can build typed arrays for bulk inserts.</summary>
public enum ColumnKind
{
    /// <summary>A run id (a GUID, or null).</summary>
    Id,

    /// <summary>A 32-bit integer.</summary>
    Integer,

    /// <summary>Text (already made storable), or null.</summary>
    Text,

    /// <summary>A timestamp, or null.</summary>
    Time,
}

/// <summary>Takes one row's values, typed, column by column in the table's column order.</summary>
public interface IRowWriter
{
    /// <summary>The next column's value, a run id.</summary>
    void Id(Guid? value);

    /// <summary>The next column's value, an integer.</summary>
    void Integer(int value);

    /// <summary>The next column's value, text.</summary>
    void Text(string? value);

    /// <summary>The next column's value, a timestamp.</summary>
    void Time(DateTimeOffset? value);
}

/// <summary>The rows of one table in a batch: <paramref name="Write"/> writes row <c>i</c>'s values in column order.</summary>
/// <param name="Table">The table's name, with the store's prefix.</param>
/// <param name="Columns">Its columns, in the order rows are written.</param>
/// <param name="Kinds">Each column's kind.</param>
/// <param name="OnConflict">The <c>ON CONFLICT</c> clause an insert of these rows ends with, or empty.</param>
/// <param name="Count">How many rows.</param>
/// <param name="Write">Writes row <c>i</c>'s values, column by column.</param>
public sealed record TableWrite(string Table, string[] Columns, ColumnKind[] Kinds, string OnConflict, int Count, Action<int, IRowWriter> Write);

using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Flows.Stores;

/// <summary>
/// The base of the SQL stores (<see cref="SqliteRunStore"/>, and PostgreSQL in Flows.Sdk.PostgreSql). What they share: the schema and its migration on first use, batched writes in one transaction, the
/// queries, and crash detection. Each store instance registers itself as an <em>owner</em> with a heartbeat; every
/// run it writes carries its owner id. Runs that are not finished and whose owner is gone (its heartbeat lapsed on the
/// database's clock, or for SQLite its process no longer exists) are marked <see cref="RunState.Crashed"/> when a
/// store opens and on every heartbeat. A store never marks its own runs: when it finds its owner row removed by a
/// peer (after a pause, a sleep, a network cut) it registers again and puts back the live runs the peer marked.
/// An open that fails is tried again by a later use, after a backoff.
/// </summary>
public abstract partial class SqlRunStore : IRunStore, IAsyncDisposable, IDisposable
{
    private const string RunColumns =
        "id, kind, name, flow_run_id, parent_run_id, state, attempt, parameters, result, cache_key, error, tags, version, created_at, started_at, ended_at";

    private static readonly DateTimeOffset? ProcessStartedAt = ProcessStart();

    private readonly Lock _openLock = new();
    private readonly TimeSpan _heartbeatInterval;
    private readonly TimeSpan _heartbeatTimeout;
    private readonly string _crashMessage;

    // The runs this store last wrote as unfinished: those its process is still running.
    private readonly ConcurrentDictionary<Guid, RunRecord> _live = new();
    private Task? _open;
    private int _failedOpens;
    private DateTimeOffset _retryOpenAt;
    private ITimer? _heartbeat;
    private int _disposed;

    private protected SqlRunStore(string description, SqlTypes types, TimeProvider timeProvider, TimeSpan heartbeatInterval, TimeSpan heartbeatTimeout)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(heartbeatInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(heartbeatTimeout, heartbeatInterval);
        Description = description;
        Types = types;
        TimeProvider = timeProvider;
        _heartbeatInterval = heartbeatInterval;
        _heartbeatTimeout = heartbeatTimeout;
        _crashMessage = $"The process running it stopped before it finished (found by {Environment.MachineName}, pid {Environment.ProcessId}, store owner {OwnerId}).";
    }

    /// <summary>"SQLite store at /home/me/.flows/flows.db", for messages.</summary>
    public string Description { get; }

    /// <summary>The id under which this store instance writes runs and heartbeats.</summary>
    public Guid OwnerId { get; } = Guid.CreateVersion7();

    private protected SqlTypes Types { get; }

    private protected TimeProvider TimeProvider { get; }

    private string Runs => Types.Table("flows_runs");

    private string Owners => Types.Table("flows_owners");

    /// <inheritdoc />
    public ValueTask OpenAsync(CancellationToken cancellationToken = default) => new(OpenedAsync().WaitAsync(cancellationToken));

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
            // attempt should get a fresh one rather than each of them in turn.
            DiscardIdleConnections();
            throw;
        }
    }

    /// <inheritdoc />
    public bool IsTransient(Exception exception)
    {
        for (var error = exception; error is not null; error = error.InnerException)
        {
            if (error is DbException db && IsTransient(db))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Stops the heartbeat and unregisters this owner; runs it left unfinished are marked crashed by the next store that opens.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Under the open's lock: an open finishing now either saw the store disposed or has started its heartbeat.
        ITimer? heartbeat;
        Task? open;
        lock (_openLock)
        {
            heartbeat = _heartbeat;
            open = _open;
        }

        if (heartbeat is not null)
        {
            await heartbeat.DisposeAsync().ConfigureAwait(false);
        }

        if (open is { IsCompletedSuccessfully: true })
        {
            try
            {
                await using var connection = await ConnectAsync(CancellationToken.None).ConfigureAwait(false);
                await ExecuteAsync(connection, null, $"DELETE FROM {Owners} WHERE id = @id", [("id", Id(OwnerId))], CancellationToken.None).ConfigureAwait(false);
            }
            catch (DbException)
            {
                // Unregistering is a courtesy: an owner left behind is found gone by the next store that opens.
            }
        }

        await ReleaseAsync(final: true).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <inheritdoc />
    public override string ToString() => Description;

    /// <summary>Opens a connection to the database, without opening the store.</summary>
    private protected abstract ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);

    /// <summary>Closes the pool's idle connections, after a transient failure; by default there is no pool to clear.</summary>
    private protected virtual void DiscardIdleConnections()
    {
    }

    /// <summary>Whether the database's error is one a later attempt may not meet (see <see cref="IRunStore.IsTransient"/>).</summary>
    private protected abstract bool IsTransient(DbException error);

    /// <summary>
    /// Begins the migration transaction, holding whatever lock keeps two processes from migrating at once, and
    /// creates what must exist before the schema's tables (a PostgreSQL schema) when it is missing.
    /// </summary>
    private protected abstract Task<DbTransaction> BeginMigrationAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>SQL that returns 1 when the schema-version table exists, else 0.</summary>
    private protected abstract string SchemaTableExistsSql { get; }

    /// <summary>Checks, before anything is created, that a database without a Flows schema may receive one.</summary>
    private protected virtual Task CheckEmptyAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs once the schema is current and committed.</summary>
    private protected virtual Task AfterMigrationAsync(DbConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Turns a database error met while opening into a message that names the store and says what to do;
    /// <paramref name="migrating"/> when it was met creating or migrating the schema.
    /// </summary>
    private protected abstract string Explain(DbException error, bool migrating);

    /// <summary>True when an owner's runs can no longer finish. By default: its heartbeat lapsed.</summary>
    private protected virtual bool IsGone(StoreOwner owner) => owner.Lapsed;

    /// <summary>
    /// The current time as SQL, on the clock heartbeats are written and judged by: an expression, or <c>@now</c> for
    /// the store's <see cref="TimeProvider"/> (every query that uses it also gets a <c>now</c> parameter).
    /// </summary>
    private protected abstract string NowSql { get; }

    /// <summary>A clause that keeps this store's owner row from being deleted by a peer until the write's transaction ends, when the database needs one.</summary>
    private protected virtual string LockOwnerSql => string.Empty;

    /// <summary>
    /// Releases the store's connections: for good (<paramref name="final"/>) when the store is disposed, else after
    /// a failed open, which a later use tries again.
    /// </summary>
    private protected virtual ValueTask ReleaseAsync(bool final) => default;

    /// <summary>The database value of a run id.</summary>
    private protected abstract object Id(Guid id);

    /// <summary>The database value of a timestamp.</summary>
    private protected abstract object Time(DateTimeOffset time);

    /// <summary>Reads a timestamp written with <see cref="Time"/>.</summary>
    private protected abstract DateTimeOffset ReadTime(DbDataReader reader, int ordinal);

    /// <summary>The database value of a length of time, to add to or subtract from a <see cref="Time"/>.</summary>
    private protected abstract object Duration(TimeSpan duration);

    /// <summary>Writes a batch inside its transaction: one prepared insert per table, run row by row. Stores may replace this with a bulk path.</summary>
    private protected virtual async Task WriteRowsAsync(DbConnection connection, DbTransaction transaction, RunWriteBatch batch, CancellationToken cancellationToken)
    {
        foreach (var table in TableWrites(batch))
        {
            var names = table.Columns.Select((_, i) => "p" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
            await using var command = Command(connection, transaction, InsertSql(table, i => "@" + names[i]), names.Select(n => (n, (object?)null)));
            await command.PrepareAsync(cancellationToken).ConfigureAwait(false);
            for (var row = 0; row < table.Count; row++)
            {
                var values = table.Row(row);
                for (var i = 0; i < values.Length; i++)
                {
                    command.Parameters[i].Value = values[i] ?? DBNull.Value;
                }

                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The insert of one row of a table, its values named by <paramref name="parameter"/> (by column index).</summary>
    private protected static string InsertSql(TableWrite table, Func<int, string> parameter) =>
        $"INSERT INTO {table.Table} ({string.Join(", ", table.Columns)}) VALUES ({string.Join(", ", table.Columns.Select((_, i) => parameter(i)))}) {table.OnConflict}";

    /// <summary>
    /// The rows of a batch per table, with their columns' kinds and conflict handling: runs and cache entries
    /// replace the stored row (a run keeps its sequence, its place among runs of the same tick); the rest append.
    /// </summary>
    private protected IEnumerable<TableWrite> TableWrites(RunWriteBatch batch)
    {
        const ColumnKind I = ColumnKind.Id, N = ColumnKind.Integer, T = ColumnKind.Text, W = ColumnKind.Time;
        if (batch.Runs.Count > 0)
        {
            yield return new TableWrite(
                Runs,
                [.. RunColumns.Split(", "), "owner_id"],
                [I, N, T, I, I, N, N, T, T, T, T, T, T, W, W, W, I],
                "ON CONFLICT (id) DO UPDATE SET state = excluded.state, attempt = excluded.attempt, parameters = excluded.parameters, result = excluded.result, "
                + "cache_key = excluded.cache_key, error = excluded.error, tags = excluded.tags, version = excluded.version, started_at = excluded.started_at, "
                + "ended_at = excluded.ended_at, owner_id = excluded.owner_id",
                batch.Runs.Count,
                i => RunValues(batch.Runs[i]));
        }

        if (batch.Transitions.Count > 0)
        {
            yield return new TableWrite(
                Types.Table("flows_transitions"), ["run_id", "state", "at", "attempt", "message"], [I, N, W, N, T], string.Empty, batch.Transitions.Count,
                i => batch.Transitions[i] is var t ? [Id(t.RunId), (int)t.State, Time(t.Timestamp), t.Attempt, t.Message] : []);
        }

        if (batch.Logs.Count > 0)
        {
            yield return new TableWrite(
                Types.Table("flows_logs"), ["run_id", "flow_run_id", "at", "level", "category", "message", "exception", "properties"], [I, I, W, N, T, T, T, T], string.Empty, batch.Logs.Count,
                i => batch.Logs[i] is var l
                    ? [Id(l.RunId), NullableId(l.FlowRunId), Time(l.Timestamp), (int)l.Level, l.Category, l.Message, l.Exception, l.Properties is null ? null : JsonSerializer.Serialize(l.Properties)]
                    : []);
        }

        if (batch.Artifacts.Count > 0)
        {
            yield return new TableWrite(
                Types.Table("flows_artifacts"), ["id", "run_id", "flow_run_id", "key", "kind", "content", "description", "created_at"], [I, I, I, T, N, T, T, W], "ON CONFLICT (id) DO NOTHING", batch.Artifacts.Count,
                i => batch.Artifacts[i] is var a ? [Id(a.Id), Id(a.RunId), NullableId(a.FlowRunId), a.Key, (int)a.Kind, a.Content, a.Description, Time(a.CreatedAt)] : []);
        }

        if (batch.CacheEntries.Count > 0)
        {
            yield return new TableWrite(
                Types.Table("flows_cache"), ["key", "task_name", "result", "run_id", "created_at", "expires_at"], [T, T, T, I, W, W],
                "ON CONFLICT (key) DO UPDATE SET task_name = excluded.task_name, result = excluded.result, run_id = excluded.run_id, created_at = excluded.created_at, expires_at = excluded.expires_at",
                batch.CacheEntries.Count,
                i => batch.CacheEntries[i] is var c ? [c.Key, c.TaskName, c.Result, Id(c.RunId), Time(c.CreatedAt), NullableTime(c.ExpiresAt)] : []);
        }
    }

    private object?[] RunValues(RunRecord r) =>
    [
        Id(r.Id), (int)r.Kind, r.Name, NullableId(r.FlowRunId), NullableId(r.ParentRunId), (int)r.State, r.Attempt, r.Parameters, r.Result, r.CacheKey,
        r.Error, r.Tags.Count == 0 ? "[]" : JsonSerializer.Serialize(r.Tags), r.Version, Time(r.CreatedAt), NullableTime(r.StartedAt), NullableTime(r.EndedAt), Id(OwnerId),
    ];

    /// <summary>An opened connection to an opened (migrated) store.</summary>
    private protected async ValueTask<DbConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        await OpenedAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        return await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
    }

    private protected static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, IEnumerable<(string Name, object? Value)> parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@" + name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    private protected static async Task<int> ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, IEnumerable<(string Name, object? Value)> parameters, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private protected static async Task<object?> ScalarAsync(
        DbConnection connection, DbTransaction? transaction, string sql, IEnumerable<(string Name, object? Value)> parameters, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    private object? NullableId(Guid? id) => id is { } value ? Id(value) : null;

    private object? NullableTime(DateTimeOffset? time) => time is { } value ? Time(value) : null;
}

/// <summary>How a column's values are typed, so a store can build typed arrays for bulk inserts.</summary>
internal enum ColumnKind
{
    Id,
    Integer,
    Text,
    Time,
}

/// <summary>The rows of one table in a batch: <paramref name="Row"/> gives row <c>i</c>'s values in column order.</summary>
internal sealed record TableWrite(string Table, string[] Columns, ColumnKind[] Kinds, string OnConflict, int Count, Func<int, object?[]> Row);

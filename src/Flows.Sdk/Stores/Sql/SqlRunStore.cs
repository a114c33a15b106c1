using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

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
public abstract class SqlRunStore : IRunStore, IAsyncDisposable, IDisposable
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

    /// <inheritdoc />
    public async ValueTask<RunRecord?> GetRunAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        var runs = await ReadAsync($"SELECT {RunColumns} FROM {Runs} WHERE id = @id", [("id", Id(runId))], ReadRun, cancellationToken).ConfigureAwait(false);
        return runs.Count == 0 ? null : runs[0];
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RunRecord>> QueryRunsAsync(RunQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegative(query.Offset);
        ArgumentOutOfRangeException.ThrowIfNegative(query.Limit);
        var where = new List<string>();
        var parameters = new List<(string, object?)>();
        void Filter(string condition, string name, object? value)
        {
            if (value is not null)
            {
                where.Add($"{condition} @{name}");
                parameters.Add((name, value));
            }
        }

        Filter("kind =", "kind", query.Kind is { } kind ? (int)kind : null);
        Filter("name =", "name", query.Name);
        Filter("state =", "state", query.State is { } state ? (int)state : null);
        Filter("parent_run_id =", "parent", query.ParentRunId is { } parent ? Id(parent) : null);
        Filter("flow_run_id =", "flow", query.FlowRunId is { } flow ? Id(flow) : null);
        Filter("created_at >=", "after", query.CreatedAfter is { } after ? Time(after) : null);
        Filter("created_at <", "before", query.CreatedBefore is { } before ? Time(before) : null);
        parameters.Add(("limit", (long)query.Limit));
        parameters.Add(("offset", (long)query.Offset));
        var sql = $"SELECT {RunColumns} FROM {Runs}{(where.Count == 0 ? string.Empty : " WHERE " + string.Join(" AND ", where))} "
            + "ORDER BY created_at DESC, seq DESC LIMIT @limit OFFSET @offset";
        return ReadAsync(sql, parameters, ReadRun, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<StateTransition>> GetTransitionsAsync(Guid runId, CancellationToken cancellationToken = default) =>
        ReadAsync(
            $"SELECT run_id, state, at, attempt, message FROM {Types.Table("flows_transitions")} WHERE run_id = @id ORDER BY seq",
            [("id", Id(runId))],
            r => new StateTransition(r.GetGuid(0), (RunState)r.GetInt32(1), ReadTime(r, 2), r.GetInt32(3), Text(r, 4)),
            cancellationToken);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RunLogEntry>> GetLogsAsync(Guid runId, CancellationToken cancellationToken = default) =>
        ReadAsync(
            $"SELECT run_id, flow_run_id, at, level, category, message, exception, properties FROM {Types.Table("flows_logs")} "
            + "WHERE run_id = @id OR flow_run_id = @id ORDER BY seq",
            [("id", Id(runId))],
            r => new RunLogEntry(
                r.GetGuid(0), NullableId(r, 1), ReadTime(r, 2), (LogLevel)r.GetInt32(3), r.GetString(4), r.GetString(5), Text(r, 6),
                Text(r, 7) is { } properties ? JsonSerializer.Deserialize<Dictionary<string, string?>>(properties) : null),
            cancellationToken);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RunArtifact>> GetArtifactsAsync(Guid runId, CancellationToken cancellationToken = default) =>
        ReadAsync(
            $"SELECT id, run_id, flow_run_id, key, kind, content, description, created_at FROM {Types.Table("flows_artifacts")} "
            + "WHERE run_id = @id OR flow_run_id = @id ORDER BY seq",
            [("id", Id(runId))],
            r => new RunArtifact(r.GetGuid(0), r.GetGuid(1), NullableId(r, 2), r.GetString(3), (ArtifactKind)r.GetInt32(4), r.GetString(5), Text(r, 6), ReadTime(r, 7)),
            cancellationToken);

    /// <inheritdoc />
    public async ValueTask<CacheEntry?> GetCacheEntryAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var entries = await ReadAsync(
            $"SELECT key, task_name, result, run_id, created_at, expires_at FROM {Types.Table("flows_cache")} WHERE key = @key",
            [("key", key)],
            r => new CacheEntry(r.GetString(0), r.GetString(1), r.GetString(2), r.GetGuid(3), ReadTime(r, 4), r.IsDBNull(5) ? null : ReadTime(r, 5)),
            cancellationToken).ConfigureAwait(false);
        return entries.Count == 0 ? null : entries[0];
    }

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
        const string Orphaned = "state < 4 AND (owner_id IS NULL OR (owner_id <> @me AND owner_id NOT IN (SELECT id FROM {0})))";
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

    private async ValueTask<IReadOnlyList<T>> ReadAsync<T>(string sql, IEnumerable<(string, object?)> parameters, Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        return await ReadAsync(connection, null, sql, parameters, read, cancellationToken).ConfigureAwait(false);
    }

    private static async ValueTask<IReadOnlyList<T>> ReadAsync<T>(
        DbConnection connection, DbTransaction? transaction, string sql, IEnumerable<(string, object?)> parameters, Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var results = new List<T>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            results.Add(read(reader));
        }

        return results;
    }

    private RunRecord ReadRun(DbDataReader r) => new()
    {
        Id = r.GetGuid(0),
        Kind = (RunKind)r.GetInt32(1),
        Name = r.GetString(2),
        FlowRunId = NullableId(r, 3),
        ParentRunId = NullableId(r, 4),
        State = (RunState)r.GetInt32(5),
        Attempt = r.GetInt32(6),
        Parameters = Text(r, 7),
        Result = Text(r, 8),
        CacheKey = Text(r, 9),
        Error = Text(r, 10),
        Tags = JsonSerializer.Deserialize<string[]>(r.GetString(11)) ?? [],
        Version = Text(r, 12),
        CreatedAt = ReadTime(r, 13),
        StartedAt = r.IsDBNull(14) ? null : ReadTime(r, 14),
        EndedAt = r.IsDBNull(15) ? null : ReadTime(r, 15),
    };

    /// <summary>
    /// The open of the store: the attempt under way, the one that succeeded, or the one that failed while its
    /// backoff lasts. Once the backoff has passed, the next use starts another attempt: a server not up yet, a
    /// locked file or a folder not writable yet is tried again, without a retry on every call.
    /// </summary>
    private Task OpenedAsync()
    {
        lock (_openLock)
        {
            if (_open is null || (_open.IsFaulted && TimeProvider.GetUtcNow() >= _retryOpenAt))
            {
                // On the thread pool, so the open's synchronous parts (SQLite's) never run under the lock.
                _open = Task.Run(OpenCoreAsync);
            }

            return _open;
        }
    }

    private async Task OpenCoreAsync()
    {
        try
        {
            await using (var connection = await OpenConnectionAsync(CancellationToken.None).ConfigureAwait(false))
            {
                await MigrateAsync(connection, CancellationToken.None).ConfigureAwait(false);
                await AfterMigrationAsync(connection, CancellationToken.None).ConfigureAwait(false);
                await RegisterAsync(connection, null, CancellationToken.None).ConfigureAwait(false);
            }

            await MarkCrashedCoreAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            lock (_openLock)
            {
                _failedOpens++;
                _retryOpenAt = TimeProvider.GetUtcNow() + OpenBackoff(_failedOpens);
            }

            await ReleaseAsync(final: false).ConfigureAwait(false);
            if (ex is DbException error)
            {
                throw new RunStoreException($"{Description} cannot be opened: {Explain(error, migrating: false)}", error);
            }

            throw;
        }

        lock (_openLock)
        {
            _failedOpens = 0;
            if (Volatile.Read(ref _disposed) == 0)
            {
                _heartbeat ??= TimeProvider.CreateTimer(static s => _ = ((SqlRunStore)s!).BeatAsync(), this, _heartbeatInterval, _heartbeatInterval);
            }
        }
    }

    /// <summary>1 s after the first failed open, doubling with each further failure, at most 30 s.</summary>
    private static TimeSpan OpenBackoff(int failures) => TimeSpan.FromSeconds(Math.Min(30, Math.Pow(2, Math.Min(failures, 6) - 1)));

    /// <summary>
    /// Brings the schema to the version this code writes. Most opens find it current: they read its version and
    /// change nothing (no lock, no DDL), so a role that may only use the tables opens a store an administrator migrated.
    /// </summary>
    private async Task MigrateAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        if (await SchemaVersionAsync(connection, null, cancellationToken).ConfigureAwait(false) == SqlSchema.Latest)
        {
            return;
        }

        try
        {
            await using var transaction = await BeginMigrationAsync(connection, cancellationToken).ConfigureAwait(false);

            // Read again under the migration lock: another process may have migrated while this one waited.
            var version = await SchemaVersionAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
            if (version is null)
            {
                await CheckEmptyAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
                await ExecuteAsync(connection, transaction, $"CREATE TABLE {Types.Table("flows_schema")} (version INTEGER NOT NULL, applied_at TEXT NOT NULL)", [], cancellationToken).ConfigureAwait(false);
            }

            for (var next = (version ?? 0) + 1; next <= SqlSchema.Latest; next++)
            {
                await ExecuteAsync(connection, transaction, SqlSchema.Migration(next, Types), [], cancellationToken).ConfigureAwait(false);
                await ExecuteAsync(
                    connection,
                    transaction,
                    $"INSERT INTO {Types.Table("flows_schema")} (version, applied_at) VALUES (@version, @at)",
                    [("version", next), ("at", TimeProvider.GetUtcNow().ToString("O", CultureInfo.InvariantCulture))],
                    cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbException ex)
        {
            throw new RunStoreException($"{Description} cannot be opened: {Explain(ex, migrating: true)}", ex);
        }
    }

    /// <summary>The schema version the database holds, null when it has no Flows schema; fails when it is newer than this code.</summary>
    private async Task<int?> SchemaVersionAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        if (Convert.ToInt64(await ScalarAsync(connection, transaction, SchemaTableExistsSql, [], cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) == 0)
        {
            return null;
        }

        var latest = await ScalarAsync(connection, transaction, $"SELECT max(version) FROM {Types.Table("flows_schema")}", [], cancellationToken).ConfigureAwait(false);
        var version = latest is null or DBNull ? 0 : Convert.ToInt32(latest, CultureInfo.InvariantCulture);
        if (version > SqlSchema.Latest)
        {
            throw new RunStoreException(
                $"{Description} has schema version {version}, newer than this Flows.Sdk understands (up to {SqlSchema.Latest}). "
                + "It was written by a newer Flows.Sdk: upgrade this application's Flows.Sdk, or point it at another store. Nothing was changed.");
        }

        return version;
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

    private protected static async Task<object?> ScalarAsync(
        DbConnection connection, DbTransaction? transaction, string sql, IEnumerable<(string Name, object? Value)> parameters, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
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

    private object? NullableId(Guid? id) => id is { } value ? Id(value) : null;

    private object? NullableTime(DateTimeOffset? time) => time is { } value ? Time(value) : null;

    private static Guid? NullableId(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetGuid(ordinal);

    private static string? Text(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}

/// <summary>A registered store instance: where it runs, and whether its heartbeat lapsed on the database's clock.</summary>
internal sealed record StoreOwner(Guid Id, string Machine, int ProcessId, DateTimeOffset? ProcessStartedAt, bool Lapsed);

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

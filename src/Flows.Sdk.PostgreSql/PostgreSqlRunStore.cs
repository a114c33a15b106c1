using System.Data.Common;
using System.Globalization;
using Flows.Runs;
using Flows.Stores.PostgreSql.Limits;
using Flows.Stores.Sql;
using Npgsql;
using NpgsqlTypes;

namespace Flows.Stores.PostgreSql;

/// <summary>
/// Runs kept in PostgreSQL, for teams that share history and for several worker processes. The schema is created
/// and migrated on first use under an advisory lock, so processes that start at once are safe; a store whose schema
/// is current is opened without any DDL, so a role with no more than USAGE on the schema and SELECT, INSERT, UPDATE
/// and DELETE on its tables can use a store an administrator migrated. Each store instance heartbeats on the
/// server's clock (<c>clock_timestamp()</c>), and lapses are judged on it too, so processes whose clocks disagree
/// never take each other for gone; the unfinished runs of an instance whose heartbeat lapsed are marked
/// <see cref="RunState.Crashed"/>. Timestamps are kept to the microsecond (PostgreSQL's <c>timestamptz</c>). Tag limits,
/// rate limits and flows' <c>MaxConcurrentRuns</c> of engines on this store are shared by every process on the schema
/// (<see cref="ISharedLimits"/>): a slot is a lease row tied to this store's owner, so a process found gone gives its
/// slots back.
/// </summary>
public sealed class PostgreSqlRunStore : SqlRunStore, IRunStoreDatabase, ISharedLimits
{
    /// <summary>The savepoint a batch's COPY of new runs is undone to when one of them was stored already.</summary>
    private const string FreshRuns = "flows_fresh_runs";

    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly string _schema;
    private readonly string _user;
    private readonly string _database;
    private readonly string? _connectionString;
    private readonly Func<CancellationToken, ValueTask<string>>? _password;
    private readonly PostgreSqlSharedLimits _limits;

    /// <summary>A store on the database a connection string names, in the <c>flows</c> schema.</summary>
    public PostgreSqlRunStore(string connectionString)
        : this(new PostgreSqlRunStoreOptions { ConnectionString = connectionString })
    {
    }

    /// <summary>A store with the given options.</summary>
    public PostgreSqlRunStore(PostgreSqlRunStoreOptions options)
        : base(Describe(options), ColumnTypes(options), options.TimeProvider, options.HeartbeatInterval, options.HeartbeatTimeout)
    {
        _schema = options.Schema;
        _ownsDataSource = options.DataSource is null;
        _connectionString = options.DataSource is null ? options.ConnectionString : null;
        _password = options.Password;
        _dataSource = options.DataSource ?? CreateDataSource(options.ConnectionString!, options.Password);
        var connection = new NpgsqlConnectionStringBuilder(_dataSource.ConnectionString);
        _user = connection.Username ?? Environment.UserName;
        _database = connection.Database ?? _user;
        _limits = new PostgreSqlSharedLimits(_dataSource, _schema, Types.Prefix, OwnerId, OpenAsync, options.TimeProvider);
    }

    /// <summary>The schema holding the tables.</summary>
    public string Schema => _schema;

    /// <inheritdoc />
    public string DatabaseProduct => "PostgreSql";

    /// <inheritdoc />
    public Task<IAsyncDisposable?> TryTakeSlotAsync(string key, int permits, CancellationToken cancellationToken = default) =>
        _limits.TryTakeSlotAsync(key, permits, cancellationToken);

    /// <inheritdoc />
    public Task<TimeSpan?> TrySpendAsync(string key, RateLimit limit, CancellationToken cancellationToken = default) =>
        _limits.TrySpendAsync(key, limit, cancellationToken);

    /// <inheritdoc />
    public Task NextReleaseAsync(string key) => _limits.NextReleaseAsync(key);

    /// <summary>
    /// A new data source on the store's database with the store's credentials (its
    /// <see cref="PostgreSqlRunStoreOptions.Password"/> provider included), whose connections find unqualified tables in
    /// <see cref="Schema"/> first: for a component that keeps its own tables beside the store's, such as the Quartz job
    /// store of Flows.Sdk.Orchestration. The caller owns the data source and disposes it. Like the store's own, it opens
    /// connections asynchronously only when a password provider is set.
    /// </summary>
    /// <returns>The new data source, an <see cref="NpgsqlDataSource"/>.</returns>
    /// <exception cref="InvalidOperationException">
    /// The store was given a <see cref="PostgreSqlRunStoreOptions.DataSource"/>: its connection details and password are
    /// its own, so the other component needs a connection string of its own.
    /// </exception>
    public DbDataSource CreateDataSource()
    {
        if (_connectionString is null)
        {
            throw new InvalidOperationException(
                "This PostgreSQL run store was given a DataSource, whose connection details and password it cannot copy: give the other component a connection string of its own.");
        }

        var connection = new NpgsqlConnectionStringBuilder(_connectionString) { SearchPath = Quote(_schema) + ", public" };
        return CreateDataSource(connection.ConnectionString, _password);
    }

    private static NpgsqlDataSource CreateDataSource(string connectionString, Func<CancellationToken, ValueTask<string>>? password)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        if (password is not null)
        {
            // Npgsql asks the synchronous provider only for synchronous opens, which this store never makes.
            builder.UsePasswordProvider(
                _ => throw new InvalidOperationException("The PostgreSQL run store opens connections asynchronously only."),
                (_, cancellationToken) => password(cancellationToken));
        }

        return builder.Build();
    }

    // From the catalog, which every role may read: a role without USAGE on the schema then fails reading the
    // version, with a message about privileges, instead of taking a migrated store for an empty one.
    /// <inheritdoc/>
    protected override string SchemaTableExistsSql =>
        "SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        + $"WHERE n.nspname = '{_schema.Replace("'", "''", StringComparison.Ordinal)}' AND c.relname = 'flows_schema'";

    /// <summary>The server's clock: the same for every process, whatever their own clocks say.</summary>
    protected override string NowSql => "clock_timestamp()";

    /// <summary>The tags column read as <c>jsonb</c>, holding the tag as one of its elements.</summary>
    protected override string TagMatchSql => "tags::jsonb @> jsonb_build_array(@tag::text)";

    /// <summary>Whole bucket lengths between <c>@from</c> and the run's creation, from the epoch seconds of the two intervals (exact numerics).</summary>
    protected override string BucketSql => "FLOOR(EXTRACT(EPOCH FROM created_at - @from) / EXTRACT(EPOCH FROM @bucket))::bigint";

    /// <summary>The run's duration in ticks, from its interval's epoch seconds (microseconds, the finest PostgreSQL keeps).</summary>
    protected override string DurationTicksSql => "(EXTRACT(EPOCH FROM ended_at - started_at) * 10000000)::double precision";

    /// <summary>PostgreSQL has <c>percentile_cont</c>.</summary>
    protected override bool HasPercentileCont => true;

    // KEY SHARE: a peer's DELETE of the row waits for the write to commit; this store's own heartbeat (an UPDATE) does not.
    /// <inheritdoc/>
    protected override string LockOwnerSql => " FOR KEY SHARE";

    /// <inheritdoc/>
    protected override async ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// What Npgsql deems transient (network failures, timeouts, serialization failures, deadlocks, resource limits),
    /// plus a connection the server closed (class 08) or a server shutting down or starting (57P01–57P03): the
    /// pool opens a fresh connection for the next attempt.
    /// </summary>
    protected override bool IsTransient(DbException error) => error switch
    {
        NpgsqlException { IsTransient: true } => true,
        PostgresException postgres => postgres.SqlState.StartsWith("08", StringComparison.Ordinal) || postgres.SqlState is "57P01" or "57P02" or "57P03",
        _ => false,
    };

    /// <inheritdoc/>
    protected override void DiscardIdleConnections() => _dataSource.Clear();

    /// <inheritdoc/>
    protected override async Task<DbTransaction> BeginMigrationAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // One migration at a time per schema, across processes; released with the transaction.
        await ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock(hashtext(@lock))", [("lock", "flows-schema:" + _schema)], cancellationToken).ConfigureAwait(false);

        // Only when missing: CREATE SCHEMA checks the CREATE privilege on the database even when the schema exists.
        var exists = await ScalarAsync(connection, transaction, "SELECT count(*) FROM pg_catalog.pg_namespace WHERE nspname = @schema", [("schema", _schema)], cancellationToken).ConfigureAwait(false);
        if (Convert.ToInt64(exists, CultureInfo.InvariantCulture) == 0)
        {
            await ExecuteAsync(connection, transaction, $"CREATE SCHEMA IF NOT EXISTS {Quote(_schema)}", [], cancellationToken).ConfigureAwait(false);
        }

        return transaction;
    }

    /// <inheritdoc/>
    protected override string Explain(DbException error, bool migrating) => error switch
    {
        PostgresException { SqlState: "42501" } e when migrating =>
            $"the role '{_user}' may not create or migrate the store's schema ({e.MessageText}): the schema '{_schema}' is missing or older than "
            + $"this Flows.Sdk, and creating it takes CREATE on database '{_database}'. An administrator must migrate it once, by opening the "
            + $"store as a role that may (such as the database's owner), or grant this role the privilege: GRANT CREATE ON DATABASE {Quote(_database)} TO {Quote(_user)}. "
            + $"Once migrated, the role needs only USAGE on schema '{_schema}' and SELECT, INSERT, UPDATE, DELETE on its tables. Nothing was changed.",
        PostgresException { SqlState: "42501" } e =>
            $"the role '{_user}' lacks a privilege on the store's schema or tables ({e.MessageText}). An administrator must grant it: "
            + $"GRANT USAGE ON SCHEMA {Quote(_schema)} TO {Quote(_user)}; GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {Quote(_schema)} TO {Quote(_user)}. Nothing was changed.",
        PostgresException { SqlState: var state } e when state.StartsWith("28", StringComparison.Ordinal) =>
            $"the server refused the login of user '{_user}' ({state}: {e.MessageText}). Check the user and password of the connection string "
            + "(Flows:Store:ConnectionString, or the secret it comes from). Nothing was changed.",
        PostgresException { SqlState: "3D000" } e => $"{e.MessageText}. Create the database first, or name an existing one in the connection string.",
        NpgsqlException { InnerException: System.Net.Sockets.SocketException or TimeoutException } =>
            $"the server could not be reached ({error.InnerException!.Message}). Check Host and Port in the connection string and that PostgreSQL is running.",
        _ => error.Message,
    };

    /// <inheritdoc/>
    protected override async ValueTask ReleaseAsync(bool final)
    {
        if (!final)
        {
            // After a failed open the data source stays, for the next attempt; only its idle connections go.
            _dataSource.Clear();
        }
        else
        {
            await _limits.DisposeAsync().ConfigureAwait(false);
            if (_ownsDataSource)
            {
                await _dataSource.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc/>
    protected override object Id(Guid id) => id;

    /// <inheritdoc/>
    protected override object Time(DateTimeOffset time) => time.ToUniversalTime();

    /// <inheritdoc/>
    protected override DateTimeOffset ReadTime(DbDataReader reader, int ordinal) => reader.GetFieldValue<DateTimeOffset>(ordinal);

    /// <inheritdoc/>
    protected override object Duration(TimeSpan duration) => duration;

    /// <summary>
    /// The batch's bulk goes by binary COPY, the fastest way into PostgreSQL: transitions and log lines, which only
    /// append, and the runs this store has not written before (<see cref="SqlRunStore.IsLive"/>), which are new rows
    /// but for the rare rewrite of a finished run: a COPY of those that meets a stored id (unique violation) is undone
    /// to a savepoint and the runs are upserted instead. The other runs, artifacts and cache entries, which may replace
    /// or skip a stored row, go as one <c>INSERT … SELECT FROM unnest(…) ON CONFLICT</c> per table, their columns as
    /// typed arrays. A refused row fails its statement and so the batch, which the recorder splits as with any store.
    /// </summary>
    protected override async Task WriteRowsAsync(DbConnection connection, DbTransaction transaction, RunWriteBatch batch, CancellationToken cancellationToken)
    {
        var postgres = (NpgsqlConnection)connection;
        var inTransaction = (NpgsqlTransaction)transaction;
        batch = Distinct(batch);
        // One look per run: another write of this store may change what is live meanwhile, and a run must land in
        // exactly one of the two lists (a live run misjudged fresh is still safe: its COPY meets the stored id).
        var fresh = new List<RunRecord>(batch.Runs.Count);
        var known = new List<RunRecord>();
        foreach (var run in batch.Runs)
        {
            (IsLive(run.Id) ? known : fresh).Add(run);
        }

        if (fresh.Count > 0)
        {
            await inTransaction.SaveAsync(FreshRuns, cancellationToken).ConfigureAwait(false);
            try
            {
                await CopyAsync(postgres, RunsWrite(fresh), cancellationToken).ConfigureAwait(false);
                await inTransaction.ReleaseAsync(FreshRuns, cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                await inTransaction.RollbackAsync(FreshRuns, cancellationToken).ConfigureAwait(false);
                known = [.. fresh, .. known];
            }
        }

        if (known.Count > 0)
        {
            await UpsertAsync(postgres, inTransaction, RunsWrite(known), cancellationToken).ConfigureAwait(false);
        }

        if (batch.Transitions.Count > 0)
        {
            await CopyAsync(postgres, TransitionsWrite(batch.Transitions), cancellationToken).ConfigureAwait(false);
        }

        if (batch.Logs.Count > 0)
        {
            await CopyAsync(postgres, LogsWrite(batch.Logs), cancellationToken).ConfigureAwait(false);
        }

        foreach (var table in TableWrites(new RunWriteBatch { Artifacts = batch.Artifacts, CacheEntries = batch.CacheEntries }))
        {
            await UpsertAsync(postgres, inTransaction, table, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Appends a table's rows by binary COPY.</summary>
    private static async Task CopyAsync(NpgsqlConnection connection, TableWrite table, CancellationToken cancellationToken)
    {
        await using var copy = await connection.BeginBinaryImportAsync(
            $"COPY {table.Table} ({string.Join(", ", table.Columns)}) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
        await ColumnArrays.CopyAsync(copy, table, cancellationToken).ConfigureAwait(false);
        await copy.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Inserts, replaces or skips a table's rows as its conflict clause says, in one statement: the columns go as typed arrays through <c>unnest</c>.</summary>
    private static async Task UpsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, TableWrite table, CancellationToken cancellationToken)
    {
        var columns = ColumnArrays.Of(table);
        await using var command = new NpgsqlCommand { Connection = connection, Transaction = transaction };
        var arrays = new List<string>(table.Columns.Length);
        for (var column = 0; column < table.Columns.Length; column++)
        {
            var (type, sqlType) = ColumnType(table.Kinds[column]);
            command.Parameters.Add(new NpgsqlParameter { ParameterName = "p" + column.ToString(CultureInfo.InvariantCulture), Value = columns[column], NpgsqlDbType = NpgsqlDbType.Array | type });
            arrays.Add($"@p{column.ToString(CultureInfo.InvariantCulture)}::{sqlType}[]");
        }

        command.CommandText = $"INSERT INTO {table.Table} ({string.Join(", ", table.Columns)}) SELECT * FROM unnest({string.Join(", ", arrays)}) {table.OnConflict}";
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One statement may not update a row twice: keep the last snapshot of each run and the last entry of each key.</summary>
    private static RunWriteBatch Distinct(RunWriteBatch batch) => new()
    {
        Runs = LastOf(batch.Runs, r => r.Id),
        Transitions = batch.Transitions,
        Logs = batch.Logs,
        Artifacts = LastOf(batch.Artifacts, a => a.Id),
        CacheEntries = LastOf(batch.CacheEntries, c => c.Key),
    };

    private static IReadOnlyList<T> LastOf<T, TKey>(IReadOnlyList<T> items, Func<T, TKey> key)
        where TKey : notnull
    {
        var index = new Dictionary<TKey, int>(items.Count);
        var result = new List<T>(items.Count);
        foreach (var item in items)
        {
            if (index.TryGetValue(key(item), out var at))
            {
                result[at] = item;
            }
            else
            {
                index[key(item)] = result.Count;
                result.Add(item);
            }
        }

        return result.Count == items.Count ? items : result;
    }

    private static (NpgsqlDbType Type, string SqlType) ColumnType(ColumnKind kind) => kind switch
    {
        ColumnKind.Id => (NpgsqlDbType.Uuid, "uuid"),
        ColumnKind.Integer => (NpgsqlDbType.Integer, "integer"),
        ColumnKind.Time => (NpgsqlDbType.TimestampTz, "timestamptz"),
        _ => (NpgsqlDbType.Text, "text"),
    };

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static SqlTypes ColumnTypes(PostgreSqlRunStoreOptions options) =>
        new("uuid", "timestamptz", "bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY", Quote(Validate(options).Schema) + ".");

    private static PostgreSqlRunStoreOptions Validate(PostgreSqlRunStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Schema);
        if (options.DataSource is null && string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            throw new ArgumentException("A PostgreSQL store needs a ConnectionString (Flows:Store:ConnectionString) or a DataSource.", nameof(options));
        }

        return options;
    }

    /// <summary>"PostgreSQL store 'flows' on Host=db;Port=5432;Database=runs;Username=app": never the password.</summary>
    private static string Describe(PostgreSqlRunStoreOptions options)
    {
        var builder = new NpgsqlConnectionStringBuilder(Validate(options).DataSource?.ConnectionString ?? options.ConnectionString);
        return $"PostgreSQL store (schema '{options.Schema}') on Host={builder.Host};Port={builder.Port};Database={builder.Database};Username={builder.Username}";
    }
}

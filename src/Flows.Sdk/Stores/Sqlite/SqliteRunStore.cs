using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using Flows.Runs;
using Flows.Stores.Sql;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Flows.Stores.Sqlite;

/// <summary>
/// The embedded default store: one SQLite file (write-ahead log), created and migrated on first use, safe to share
/// between processes on one machine. Runs left unfinished by a process that died are marked
/// <see cref="RunState.Crashed"/> when the store is next opened. Heartbeats are written and judged on the machine's
/// clock (the store's <see cref="TimeProvider"/>): every process that shares a file in write-ahead-log mode is on the
/// same machine, since the log's index lives in shared memory, so they all read the same clock.
/// </summary>
public sealed class SqliteRunStore : SqlRunStore
{
    private const int BusyTimeoutSeconds = 30;

    // SQLite result codes met when the file is not a database of ours.
    private const int NotADatabase = 26;
    private const int Corrupt = 11;
    private const int Busy = 5;
    private const int Locked = 6;

    // SQLite result codes met when the file or its folder cannot be created or written.
    private const int Permission = 3;
    private const int ReadOnly = 8;
    private const int CannotOpen = 14;

    private readonly string _connectionString;
    private readonly string _pathOrigin;

    /// <summary>A store on the file at <paramref name="path"/>.</summary>
    public SqliteRunStore(string path)
        : this(new SqliteRunStoreOptions { Path = path })
    {
    }

    /// <summary>A store with the given options.</summary>
    public SqliteRunStore(SqliteRunStoreOptions options)
        : base(
            $"SQLite store at '{FullPath(options)}'",
            new SqlTypes("BLOB", "INTEGER", "INTEGER PRIMARY KEY", string.Empty),
            options.TimeProvider,
            options.HeartbeatInterval,
            options.HeartbeatTimeout)
    {
        Path = FullPath(options);
        _pathOrigin = options.PathOrigin;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = BusyTimeoutSeconds,
        }.ToString();
    }

    /// <summary>The full path of the database file.</summary>
    public string Path { get; }

    /// <inheritdoc/>
    protected override string SchemaTableExistsSql =>
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'flows_schema'";

    /// <inheritdoc/>
    protected override async ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var directory = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(directory))
        {
            try
            {
                Directory.CreateDirectory(directory);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new RunStoreException($"{Description} cannot be opened: {Unwritable(ex.Message)}", ex);
            }
        }

        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);

            // Per connection: wait for another process's write instead of failing, and let the WAL make commits cheap.
            await ExecuteAsync(connection, null, $"PRAGMA busy_timeout = {BusyTimeoutSeconds * 1000}; PRAGMA synchronous = NORMAL;", [], cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>SQLITE_BUSY and SQLITE_LOCKED: another connection held the file longer than the busy timeout.</summary>
    protected override bool IsTransient(DbException error) => error is SqliteException { SqliteErrorCode: Busy or Locked };

    /// <inheritdoc/>
    protected override async Task<DbTransaction> BeginMigrationAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        // BEGIN IMMEDIATE: the first process to start takes the write lock; a second waits (busy timeout) and
        // then finds the schema current.
        var transaction = ((SqliteConnection)connection).BeginTransaction(deferred: false);
        await Task.CompletedTask.ConfigureAwait(false);
        return transaction;
    }

    /// <inheritdoc/>
    protected override async Task CheckEmptyAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, "SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name LIMIT 3", []);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var foreign = new List<string>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            foreign.Add(reader.GetString(0));
        }

        if (foreign.Count > 0)
        {
            throw new RunStoreException(
                $"{Description} cannot be opened: the file is a SQLite database of something else (it has {string.Join(", ", foreign)} and no Flows schema). "
                + "Point Flows:Store:Path (or FLOWS_HOME) at a new file. Nothing was changed.");
        }
    }

    /// <inheritdoc/>
    protected override async Task AfterMigrationAsync(DbConnection connection, CancellationToken cancellationToken) =>
        // Only once the file is known to be ours: switching the journal mode writes to it.
        await ExecuteAsync(connection, null, "PRAGMA journal_mode = WAL", [], cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    protected override string Explain(DbException error, bool migrating) => error switch
    {
        SqliteException { SqliteErrorCode: NotADatabase or Corrupt } =>
            "the file is not a SQLite database, or it is corrupt. Move it aside or point Flows:Store:Path (or FLOWS_HOME) at a new file. Nothing was changed.",
        SqliteException { SqliteErrorCode: Permission or ReadOnly or CannotOpen } => Unwritable(error.Message),
        _ => error.Message,
    };

    /// <inheritdoc/>
    private protected override string ParentIndexHint => " INDEXED BY flows_runs_parent";

    /// <inheritdoc />
    private protected override string EndedIndexHint => " INDEXED BY flows_runs_flows_ended";

    /// <summary>The store's time, on this machine's clock (see the class's remarks).</summary>
    protected override string NowSql => "@now";

    /// <summary>A process on this machine is gone when it no longer runs; elsewhere (another container on this host), when its heartbeat lapsed.</summary>
    private protected override bool IsGone(StoreOwner owner, bool judgesLapses) =>
        string.Equals(owner.Machine, Environment.MachineName, StringComparison.OrdinalIgnoreCase)
            ? !IsRunning(owner.ProcessId, owner.ProcessStartedAt)
            : base.IsGone(owner, judgesLapses);

    /// <inheritdoc/>
    protected override ValueTask ReleaseAsync(bool final)
    {
        // Pooled connections hold the file open; release them so the file can be moved or deleted.
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
        return default;
    }

    /// <summary>
    /// Binds and steps each row through SQLite's own API on the transaction's connection: the ADO.NET command costs
    /// more per row (a data reader per execution) than SQLite's insert itself. Values are bound as the table writes
    /// them, typed, with no array or boxing per row.
    /// </summary>
    protected override Task WriteRowsAsync(DbConnection connection, DbTransaction transaction, RunWriteBatch batch, CancellationToken cancellationToken)
    {
        var database = ((SqliteConnection)connection).Handle!;
        foreach (var table in TableWrites(batch))
        {
            Check(raw.sqlite3_prepare_v2(database, InsertSql(table, i => "?" + (i + 1).ToString(CultureInfo.InvariantCulture)), out var statement), database);
            using (statement)
            {
                var binder = new Binder(statement, database);
                for (var row = 0; row < table.Count; row++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    binder.Next = 1;
                    table.Write(row, binder);
                    var done = raw.sqlite3_step(statement);
                    if (done != raw.SQLITE_DONE)
                    {
                        Check(done, database);
                    }

                    raw.sqlite3_reset(statement);
                }
            }
        }

        return Task.CompletedTask;
    }

    private static void Check(int result, sqlite3 database)
    {
        if (result is not (raw.SQLITE_OK or raw.SQLITE_DONE or raw.SQLITE_ROW))
        {
            SqliteException.ThrowExceptionForRC(result, database);
        }
    }

    // 16 bytes in Guid.ToByteArray order, which SqliteDataReader.GetGuid reads back.
    /// <inheritdoc/>
    protected override object Id(Guid id) => id.ToByteArray();

    /// <summary>Binds a row's values to a prepared statement's parameters in order, as <see cref="SqliteRunStore.Id(Guid)"/> and <see cref="SqliteRunStore.Time(DateTimeOffset)"/> convert them.</summary>
    private sealed class Binder(sqlite3_stmt statement, sqlite3 database) : IRowWriter
    {
        public int Next { get; set; } = 1;

        public void Id(Guid? value)
        {
            if (value is { } id)
            {
                Span<byte> bytes = stackalloc byte[16];
                id.TryWriteBytes(bytes);
                Check(raw.sqlite3_bind_blob(statement, Next++, bytes), database);
            }
            else
            {
                Check(raw.sqlite3_bind_null(statement, Next++), database);
            }
        }

        public void Integer(int value) => Check(raw.sqlite3_bind_int(statement, Next++, value), database);

        public void Text(string? value) =>
            Check(value is null ? raw.sqlite3_bind_null(statement, Next++) : raw.sqlite3_bind_text(statement, Next++, value), database);

        public void Time(DateTimeOffset? value) =>
            Check(value is { } time ? raw.sqlite3_bind_int64(statement, Next++, time.UtcTicks) : raw.sqlite3_bind_null(statement, Next++), database);
    }

    // UTC ticks: exact, and compared as integers.
    /// <inheritdoc/>
    protected override object Time(DateTimeOffset time) => time.UtcTicks;

    /// <inheritdoc/>
    protected override DateTimeOffset ReadTime(DbDataReader reader, int ordinal) => new(reader.GetInt64(ordinal), TimeSpan.Zero);

    /// <inheritdoc/>
    protected override object Duration(TimeSpan duration) => duration.Ticks;

    /// <summary>Why the folder or file cannot be written, and which setting chose the path, so the user knows what to change.</summary>
    private string Unwritable(string reason) =>
        $"its folder '{System.IO.Path.GetDirectoryName(Path)}' or the file cannot be created or written ({reason.TrimEnd('.')}). {_pathOrigin} "
        + "The store tries again on its next use.";

    private static string FullPath(SqliteRunStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Path);
        return System.IO.Path.GetFullPath(options.Path);
    }

    private static bool IsRunning(int processId, DateTimeOffset? startedAt)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            // A recycled process id belongs to a process that started later.
            return !process.HasExited && (startedAt is not { } start || Math.Abs((process.StartTime.ToUniversalTime() - start).TotalSeconds) < 2);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}

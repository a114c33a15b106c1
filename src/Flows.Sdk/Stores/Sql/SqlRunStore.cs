using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using Flows.Runs;
using Flows.Stores.Sqlite;

namespace Flows.Stores.Sql;

// This file: the store's life (construction, open, dispose) and the hooks each database fills in. The rest is in
// SqlRunStore.Opening, .Migration, .Ownership (heartbeats and crashes), .Writes, .Queries, .Rows (row mapping) and .Commands.

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

    // Liveness as this store sees it (SqlRunStore.Ownership): since when it has been in touch with the database, its
    // last contact, when its next heartbeat is due, and its ticks (0 idle, 1 running, 2 running and one more wanted).
    private readonly Lock _contactLock = new();
    private DateTimeOffset? _inTouchSince;
    private DateTimeOffset _lastContact;
    private DateTimeOffset _nextBeatAt;
    private int _tickState;
    private Task _ticking = Task.CompletedTask;

    /// <summary>Creates a store; nothing is opened until the first use.</summary>
    /// <param name="description">How messages name the store ("PostgreSQL store flows on db:5432").</param>
    /// <param name="types">How the database spells the schema's column types, and where its tables live.</param>
    /// <param name="timeProvider">The clock of heartbeats and retries of a failed open.</param>
    /// <param name="heartbeatInterval">How often this process marks its unfinished runs as alive.</param>
    /// <param name="heartbeatTimeout">How long without a heartbeat before another process marks those runs Crashed.</param>
    protected SqlRunStore(string description, SqlTypes types, TimeProvider timeProvider, TimeSpan heartbeatInterval, TimeSpan heartbeatTimeout)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        StoreHeartbeat.Validate(heartbeatInterval, heartbeatTimeout, description);
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

    /// <summary>How the database spells the schema's column types, and where its tables live.</summary>
    protected SqlTypes Types { get; }

    /// <summary>The clock of heartbeats and retries.</summary>
    protected TimeProvider TimeProvider { get; }

    private string Runs => Types.Table("flows_runs");

    private string Owners => Types.Table("flows_owners");

    /// <inheritdoc />
    public ValueTask OpenAsync(CancellationToken cancellationToken = default) => new(OpenedAsync().WaitAsync(cancellationToken));

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
    protected abstract ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);

    /// <summary>Closes the pool's idle connections, after a transient failure; by default there is no pool to clear.</summary>
    protected virtual void DiscardIdleConnections()
    {
    }

    /// <summary>Whether the database's error is one a later attempt may not meet (see <see cref="IRunStore.IsTransient"/>).</summary>
    protected abstract bool IsTransient(DbException error);

    /// <summary>
    /// Begins the migration transaction, holding whatever lock keeps two processes from migrating at once, and
    /// creates what must exist before the schema's tables (a PostgreSQL schema) when it is missing.
    /// </summary>
    protected abstract Task<DbTransaction> BeginMigrationAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>SQL that returns 1 when the schema-version table exists, else 0.</summary>
    protected abstract string SchemaTableExistsSql { get; }

    /// <summary>Checks, before anything is created, that a database without a Flows schema may receive one.</summary>
    protected virtual Task CheckEmptyAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs once the schema is current and committed.</summary>
    protected virtual Task AfterMigrationAsync(DbConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Turns a database error met while opening into a message that names the store and says what to do;
    /// <paramref name="migrating"/> when it was met creating or migrating the schema.
    /// </summary>
    protected abstract string Explain(DbException error, bool migrating);

    /// <summary>
    /// True when an owner's runs can no longer finish. By default: its heartbeat lapsed, judged only when
    /// <paramref name="judgesLapses"/> (this store has been in touch with the database for a heartbeat timeout).
    /// </summary>
    private protected virtual bool IsGone(StoreOwner owner, bool judgesLapses) => judgesLapses && owner.Lapsed;

    /// <summary>
    /// The current time as SQL, on the clock heartbeats are written and judged by: an expression, or <c>@now</c> for
    /// the store's <see cref="TimeProvider"/> (every query that uses it also gets a <c>now</c> parameter).
    /// </summary>
    protected abstract string NowSql { get; }

    /// <summary>A clause that keeps this store's owner row from being deleted by a peer until the write's transaction ends, when the database needs one.</summary>
    protected virtual string LockOwnerSql => string.Empty;

    /// <summary>
    /// Releases the store's connections: for good (<paramref name="final"/>) when the store is disposed, else after
    /// a failed open, which a later use tries again.
    /// </summary>
    protected virtual ValueTask ReleaseAsync(bool final) => default;

    /// <summary>The database value of a run id.</summary>
    protected abstract object Id(Guid id);

    /// <summary>The database value of a timestamp.</summary>
    protected abstract object Time(DateTimeOffset time);

    /// <summary>Reads a timestamp written with <see cref="Time"/>.</summary>
    protected abstract DateTimeOffset ReadTime(DbDataReader reader, int ordinal);

    /// <summary>The database value of a length of time, to add to or subtract from a <see cref="Time"/>.</summary>
    protected abstract object Duration(TimeSpan duration);
}

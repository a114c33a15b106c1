using System.Data.Common;
using System.Globalization;

namespace Flows.Stores;

/// <summary>Opening: the schema read first, migrated only when older or missing, and a failed open tried again after a backoff.</summary>
public abstract partial class SqlRunStore
{
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
}

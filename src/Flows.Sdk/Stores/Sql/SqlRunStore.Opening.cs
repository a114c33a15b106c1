using System.Data.Common;
using System.Globalization;

namespace Flows.Stores.Sql;

/// <summary>Opening: connect, migrate, register and sweep once, and a failed open tried again after a backoff.</summary>
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

            InTouch();
            _nextBeatAt = TimeProvider.GetUtcNow() + _heartbeatInterval - (SweepPeriod / 2);

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
                _heartbeat ??= TimeProvider.CreateTimer(static s => ((SqlRunStore)s!).OnTick(), this, SweepPeriod, SweepPeriod);
            }
        }
    }

    /// <summary>1 s after the first failed open, doubling with each further failure, at most 30 s.</summary>
    private static TimeSpan OpenBackoff(int failures) => TimeSpan.FromSeconds(Math.Min(30, Math.Pow(2, Math.Min(failures, 6) - 1)));
}

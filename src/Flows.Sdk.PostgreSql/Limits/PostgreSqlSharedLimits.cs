using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Flows.Stores.PostgreSql.Limits;

/// <summary>
/// The PostgreSQL store's limits shared by every process on its schema (<see cref="ISharedLimits"/>). A slot is a row
/// of <c>flows_limit_leases</c> held for the store's owner; it counts only while that owner's row in
/// <c>flows_owners</c> exists, so when a peer removes a lapsed owner its slots come back (the next taker deletes such
/// orphans of its key). Taking is atomic per key: a transaction-scoped advisory lock on the key, then the orphans
/// deleted, the live leases counted and a lease inserted only when one is free. Giving back deletes the row and
/// <c>NOTIFY</c>s the schema's channel with the key; each store <c>LISTEN</c>s on one dedicated connection (opened
/// when something first waits, reopened after a failure) and wakes the waiters of that key. A rate limit is one row of
/// <c>flows_rate_windows</c> per key, updated in one statement on the server's clock.
/// </summary>
internal sealed class PostgreSqlSharedLimits : IAsyncDisposable
{
    private static readonly TimeSpan MaxListenPause = TimeSpan.FromSeconds(5);

    private readonly NpgsqlDataSource _dataSource;
    private readonly Func<CancellationToken, ValueTask> _opened;
    private readonly Guid _ownerId;
    private readonly TimeProvider _timeProvider;
    private readonly string _schema;
    private readonly string _channel;
    private readonly string _lockSql = "SELECT pg_advisory_xact_lock(hashtext($1))";
    private readonly string _takeSql;
    private readonly string _releaseSql;
    private readonly string _spendSql;
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _releases = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _listenLock = new();
    private Task? _listening;

    public PostgreSqlSharedLimits(NpgsqlDataSource dataSource, string schema, string tablePrefix, Guid ownerId, Func<CancellationToken, ValueTask> opened, TimeProvider timeProvider)
    {
        _dataSource = dataSource;
        _schema = schema;
        _ownerId = ownerId;
        _opened = opened;
        _timeProvider = timeProvider;

        // A channel name is an identifier (at most 63 bytes): one per schema, whatever its name's length or characters.
        _channel = "flows_limits_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(schema)))[..16];
        var leases = tablePrefix + "flows_limit_leases";
        var owners = tablePrefix + "flows_owners";
        var windows = tablePrefix + "flows_rate_windows";
        // $1 key, $2 lease id, $3 this owner, $4 permits. The CTE's DELETE and the count see the same snapshot, so the
        // count leaves out the orphans the DELETE removes.
        _takeSql =
            $"WITH orphans AS (DELETE FROM {leases} l WHERE l.limit_key = $1 AND NOT EXISTS (SELECT 1 FROM {owners} o WHERE o.id = l.owner_id) RETURNING 1) "
            + $"INSERT INTO {leases} (id, limit_key, owner_id, taken_at) SELECT $2, $1, $3, clock_timestamp() "
            + $"WHERE EXISTS (SELECT 1 FROM {owners} WHERE id = $3) "
            + $"AND (SELECT count(*) FROM {leases} l WHERE l.limit_key = $1 AND EXISTS (SELECT 1 FROM {owners} o WHERE o.id = l.owner_id)) < $4";
        _releaseSql = $"DELETE FROM {leases} WHERE id = @id; SELECT pg_notify(@channel, @key)";
        _spendSql =
            "WITH now AS (SELECT floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint AS ms), "
            + $"spent AS (INSERT INTO {windows} AS w (limit_key, window_number, spent) SELECT @key, ms / @interval, 1 FROM now "
            + "ON CONFLICT (limit_key) DO UPDATE SET spent = CASE WHEN w.window_number = excluded.window_number THEN w.spent + 1 ELSE 1 END, window_number = excluded.window_number "
            + "WHERE w.window_number <> excluded.window_number OR w.spent < @permits RETURNING 1) "
            + "SELECT (SELECT count(*) FROM spent), @interval - ms % @interval FROM now";
    }

    public async Task<IAsyncDisposable?> TryTakeSlotAsync(string key, int permits, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentOutOfRangeException.ThrowIfLessThan(permits, 1);
        await _opened(cancellationToken).ConfigureAwait(false);
        var id = Guid.CreateVersion7();
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // One round trip for the lock and the insert, a second for the commit that releases the lock.
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand(_lockSql) { Parameters = { new() { Value = "flows-limit:" + _schema + ":" + key } } },
                new NpgsqlBatchCommand(_takeSql)
                {
                    Parameters = { new() { Value = key }, new() { Value = id }, new() { Value = _ownerId }, new() { Value = (long)permits } },
                },
            },
        };
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        var taken = batch.BatchCommands[1].RecordsAffected;
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return taken > 0 ? new Lease(this, id, key) : null;
    }

    public async Task<TimeSpan?> TrySpendAsync(string key, RateLimit limit, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (!limit.IsValid)
        {
            throw new ArgumentException($"The rate limit of '{key}' is not valid ({limit}): expected 1 or more permits per interval of 1 ms or more.", nameof(limit));
        }

        await _opened(cancellationToken).ConfigureAwait(false);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(_spendSql, connection);
        command.Parameters.AddWithValue("key", key);
        command.Parameters.AddWithValue("interval", (long)limit.Interval.TotalMilliseconds);
        command.Parameters.AddWithValue("permits", limit.Permits);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return reader.GetInt64(0) > 0 ? null : TimeSpan.FromMilliseconds(Convert.ToDouble(reader.GetValue(1), CultureInfo.InvariantCulture));
    }

    public Task NextReleaseAsync(string key)
    {
        EnsureListening();
        return _releases.GetOrAdd(key, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        Task? listening;
        lock (_listenLock)
        {
            listening = _listening;
        }

        if (listening is not null)
        {
            await listening.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        WakeAll();
        _stop.Dispose();
    }

    private async Task ReleaseAsync(Guid id, string key)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(CancellationToken.None).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(_releaseSql, connection);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("channel", _channel);
        command.Parameters.AddWithValue("key", key);
        await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
    }

    private void EnsureListening()
    {
        if (Volatile.Read(ref _listening) is not null)
        {
            return;
        }

        lock (_listenLock)
        {
            if (_listening is null && !_stop.IsCancellationRequested)
            {
                _listening = Task.Run(ListenAsync);
            }
        }
    }

    /// <summary>
    /// Listens until the store is disposed, reopening the connection after a failure on a growing pause. Each time it
    /// (re)starts listening every waiter is woken, since a release may have gone unheard meanwhile.
    /// </summary>
    private async Task ListenAsync()
    {
        var stop = _stop.Token;
        var pause = TimeSpan.FromMilliseconds(250);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var connection = await _dataSource.OpenConnectionAsync(stop).ConfigureAwait(false);
                connection.Notification += (_, e) => Wake(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN \"{_channel}\"", connection))
                {
                    await listen.ExecuteNonQueryAsync(stop).ConfigureAwait(false);
                }

                pause = TimeSpan.FromMilliseconds(250);
                WakeAll();
                while (true)
                {
                    await connection.WaitAsync(stop).ConfigureAwait(false);
                }
            }
            catch (Exception) when (!stop.IsCancellationRequested)
            {
                // Waiters poll meanwhile; try to listen again after a pause.
                WakeAll();
                try
                {
                    await Task.Delay(pause, _timeProvider, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, MaxListenPause.Ticks));
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Wake(string key)
    {
        if (_releases.TryRemove(key, out var released))
        {
            released.TrySetResult();
        }
    }

    private void WakeAll()
    {
        foreach (var key in _releases.Keys)
        {
            Wake(key);
        }
    }

    /// <summary>A slot held; disposing gives it back (and throws when the database cannot be reached: the caller tries again).</summary>
    private sealed class Lease(PostgreSqlSharedLimits limits, Guid id, string key) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => new(limits.ReleaseAsync(id, key));
    }
}

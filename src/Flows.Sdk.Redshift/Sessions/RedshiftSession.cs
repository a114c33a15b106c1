using Flows.Redshift.Logging;
using Npgsql;

namespace Flows.Redshift.Sessions;

/// <summary>
/// One use of a pooled connection: session settings applied when it is taken (values bound through
/// <c>set_config</c>), reset before it returns to the pool. A connection whose reset fails is dropped from the
/// pool rather than handed to the next user with someone else's settings.
/// </summary>
internal sealed class RedshiftSession : IAsyncDisposable
{
    private readonly SessionSettings _settings;

    private RedshiftSession(NpgsqlConnection connection, SessionSettings settings)
    {
        Connection = connection;
        _settings = settings;
    }

    public NpgsqlConnection Connection { get; }

    /// <summary>
    /// Set before running a statement that commits on its own inside a transaction (Redshift's <c>TRUNCATE</c>):
    /// from then on part of the work may be committed, so it must not be run again from the start.
    /// </summary>
    public bool MayHaveCommitted { get; set; }

    /// <summary>
    /// Takes a connection from the pool and applies the settings. With <paramref name="verify"/> the connection is
    /// known to be alive when this returns, even with no settings to apply (a round trip is made): a connection
    /// that died in the pool then fails here, before any of the work was sent, where running it again is safe.
    /// </summary>
    public static async Task<RedshiftSession> OpenAsync(NpgsqlDataSource dataSource, SessionSettings settings, bool verify, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (settings.IsEmpty && verify)
            {
                await using var ping = new NpgsqlCommand("SELECT 1", connection);
                await ping.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            else if (!settings.IsEmpty)
            {
                await using var command = connection.CreateCommand();
                var calls = new List<string>();
                if (settings.Tag is not null)
                {
                    calls.Add("set_config($1, $2, false)");
                    command.Parameters.Add(new NpgsqlParameter { Value = settings.TagSetting });
                    command.Parameters.Add(new NpgsqlParameter { Value = settings.Tag });
                }

                if (settings.StatementTimeout is not null)
                {
                    calls.Add($"set_config('statement_timeout', ${command.Parameters.Count + 1}, false)");
                    command.Parameters.Add(new NpgsqlParameter { Value = settings.TimeoutMilliseconds });
                }

                command.CommandText = "SELECT " + string.Join(", ", calls);
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            return new RedshiftSession(connection, settings);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public NpgsqlCommand Command(string sql, NpgsqlTransaction? transaction) => new(sql, Connection, transaction);

    public async ValueTask DisposeAsync()
    {
        if (!_settings.IsEmpty && Connection.FullState == System.Data.ConnectionState.Open)
        {
            try
            {
                await using var reset = new NpgsqlCommand(string.Join("; ", _settings.Names.Select(n => $"RESET {n}")), Connection);
                await reset.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
            {
                RedshiftLog.ResetFailed(RedshiftLog.Current, ex, string.Join(", ", _settings.Names));
                NpgsqlConnection.ClearPool(Connection);
            }
        }

        await Connection.DisposeAsync().ConfigureAwait(false);
    }
}

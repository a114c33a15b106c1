using System.Data.Common;

namespace Flows.Stores.Sql;

/// <summary>Commands: connections to the opened store, and the parameterised statements and reads every other part is written with.</summary>
public abstract partial class SqlRunStore
{
    /// <summary>An opened connection to an opened (migrated) store.</summary>
    protected async ValueTask<DbConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        await OpenedAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        return await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A command with <paramref name="sql"/> and its parameters (written <c>@name</c> in the SQL; null is DBNull).</summary>
    protected static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, IEnumerable<(string Name, object? Value)> parameters)
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

    /// <summary>Runs <paramref name="sql"/> and returns the rows it affected.</summary>
    protected static async Task<int> ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, IEnumerable<(string Name, object? Value)> parameters, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="sql"/> and returns the first column of its first row.</summary>
    protected static async Task<object?> ScalarAsync(
        DbConnection connection, DbTransaction? transaction, string sql, IEnumerable<(string Name, object? Value)> parameters, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
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
}

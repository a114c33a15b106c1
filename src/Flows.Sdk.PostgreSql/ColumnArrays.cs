using Flows.Stores.Sql;
using Npgsql;
using NpgsqlTypes;

namespace Flows.Stores.PostgreSql;

/// <summary>
/// Rows of a table held column by column in typed arrays (no boxing per value), as the PostgreSQL store sends them:
/// as array parameters to <c>unnest</c>, or value by value to a binary COPY. Times are kept in UTC, as
/// <c>timestamptz</c> takes them. A COPY fills the same arrays a chunk of rows at a time, so a batch of thousands of
/// rows allocates a few small arrays rather than large ones per column (which would go to the large object heap).
/// </summary>
internal sealed class ColumnArrays : IRowWriter
{
    /// <summary>Rows per chunk of a COPY: its arrays stay well under the large object heap's 85,000 bytes.</summary>
    private const int CopyChunk = 1024;

    private readonly ColumnKind[] _kinds;
    private readonly Array[] _columns;
    private int _row;
    private int _column;

    private ColumnArrays(ColumnKind[] kinds, int rows)
    {
        _kinds = kinds;
        _columns = new Array[kinds.Length];
        for (var column = 0; column < _columns.Length; column++)
        {
            _columns[column] = kinds[column] switch
            {
                ColumnKind.Id => new Guid?[rows],
                ColumnKind.Integer => new int?[rows],
                ColumnKind.Time => new DateTimeOffset?[rows],
                _ => new string?[rows],
            };
        }
    }

    /// <summary>The values of column <paramref name="column"/>, one per row.</summary>
    public Array this[int column] => _columns[column];

    /// <summary>Every row of <paramref name="table"/>, by column.</summary>
    public static ColumnArrays Of(TableWrite table)
    {
        var columns = new ColumnArrays(table.Kinds, table.Count);
        columns.Fill(table, 0, table.Count);
        return columns;
    }

    /// <summary>Appends a table's rows to a binary COPY, a chunk at a time.</summary>
    public static async Task CopyAsync(NpgsqlBinaryImporter copy, TableWrite table, CancellationToken cancellationToken)
    {
        var columns = new ColumnArrays(table.Kinds, Math.Min(table.Count, CopyChunk));
        for (var first = 0; first < table.Count; first += CopyChunk)
        {
            var count = Math.Min(CopyChunk, table.Count - first);
            columns.Fill(table, first, count);
            for (var row = 0; row < count; row++)
            {
                await copy.StartRowAsync(cancellationToken).ConfigureAwait(false);
                for (var column = 0; column < columns._columns.Length; column++)
                {
                    await columns.WriteAsync(copy, column, row, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    void IRowWriter.Id(Guid? value) => ((Guid?[])_columns[_column++])[_row] = value;

    void IRowWriter.Integer(int value) => ((int?[])_columns[_column++])[_row] = value;

    void IRowWriter.Text(string? value) => ((string?[])_columns[_column++])[_row] = value;

    void IRowWriter.Time(DateTimeOffset? value) => ((DateTimeOffset?[])_columns[_column++])[_row] = value?.ToUniversalTime();

    /// <summary>Puts rows <paramref name="first"/> to <paramref name="first"/> + <paramref name="count"/> of the table at indexes 0 to <paramref name="count"/>.</summary>
    private void Fill(TableWrite table, int first, int count)
    {
        for (_row = 0; _row < count; _row++)
        {
            _column = 0;
            table.Write(first + _row, this);
        }
    }

    /// <summary>Writes one value to a binary COPY, typed as its column.</summary>
    private Task WriteAsync(NpgsqlBinaryImporter copy, int column, int row, CancellationToken cancellationToken) => _kinds[column] switch
    {
        ColumnKind.Id => ((Guid?[])_columns[column])[row] is { } id ? copy.WriteAsync(id, NpgsqlDbType.Uuid, cancellationToken) : copy.WriteNullAsync(cancellationToken),
        ColumnKind.Integer => ((int?[])_columns[column])[row] is { } number ? copy.WriteAsync(number, NpgsqlDbType.Integer, cancellationToken) : copy.WriteNullAsync(cancellationToken),
        ColumnKind.Time => ((DateTimeOffset?[])_columns[column])[row] is { } time ? copy.WriteAsync(time, NpgsqlDbType.TimestampTz, cancellationToken) : copy.WriteNullAsync(cancellationToken),
        _ => ((string?[])_columns[column])[row] is { } text ? copy.WriteAsync(text, NpgsqlDbType.Text, cancellationToken) : copy.WriteNullAsync(cancellationToken),
    };
}

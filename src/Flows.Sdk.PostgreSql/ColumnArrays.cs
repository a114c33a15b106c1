using NpgsqlTypes;
using Npgsql;

namespace Flows.Stores;

/// <summary>
/// A table's rows held column by column in typed arrays (no boxing per value), as the PostgreSQL store sends them:
/// as array parameters to <c>unnest</c>, or value by value to a binary COPY. Times are kept in UTC, as
/// <c>timestamptz</c> takes them.
/// </summary>
internal sealed class ColumnArrays : IRowWriter
{
    private readonly ColumnKind[] _kinds;
    private readonly Array[] _columns;
    private int _row;
    private int _column;

    private ColumnArrays(TableWrite table)
    {
        _kinds = table.Kinds;
        _columns = new Array[table.Kinds.Length];
        for (var column = 0; column < _columns.Length; column++)
        {
            _columns[column] = table.Kinds[column] switch
            {
                ColumnKind.Id => new Guid?[table.Count],
                ColumnKind.Integer => new int?[table.Count],
                ColumnKind.Time => new DateTimeOffset?[table.Count],
                _ => new string?[table.Count],
            };
        }
    }

    /// <summary>The values of column <paramref name="column"/>, one per row.</summary>
    public Array this[int column] => _columns[column];

    /// <summary>The rows of <paramref name="table"/>, by column.</summary>
    public static ColumnArrays Of(TableWrite table)
    {
        var columns = new ColumnArrays(table);
        for (columns._row = 0; columns._row < table.Count; columns._row++)
        {
            columns._column = 0;
            table.Write(columns._row, columns);
        }

        return columns;
    }

    /// <summary>Writes one value to a binary COPY, typed as its column.</summary>
    public Task WriteAsync(NpgsqlBinaryImporter copy, int column, int row, CancellationToken cancellationToken) => _kinds[column] switch
    {
        ColumnKind.Id => ((Guid?[])_columns[column])[row] is { } id ? copy.WriteAsync(id, NpgsqlDbType.Uuid, cancellationToken) : copy.WriteNullAsync(cancellationToken),
        ColumnKind.Integer => ((int?[])_columns[column])[row] is { } number ? copy.WriteAsync(number, NpgsqlDbType.Integer, cancellationToken) : copy.WriteNullAsync(cancellationToken),
        ColumnKind.Time => ((DateTimeOffset?[])_columns[column])[row] is { } time ? copy.WriteAsync(time, NpgsqlDbType.TimestampTz, cancellationToken) : copy.WriteNullAsync(cancellationToken),
        _ => ((string?[])_columns[column])[row] is { } text ? copy.WriteAsync(text, NpgsqlDbType.Text, cancellationToken) : copy.WriteNullAsync(cancellationToken),
    };

    void IRowWriter.Id(Guid? value) => ((Guid?[])_columns[_column++])[_row] = value;

    void IRowWriter.Integer(int value) => ((int?[])_columns[_column++])[_row] = value;

    void IRowWriter.Text(string? value) => ((string?[])_columns[_column++])[_row] = value;

    void IRowWriter.Time(DateTimeOffset? value) => ((DateTimeOffset?[])_columns[_column++])[_row] = value?.ToUniversalTime();
}

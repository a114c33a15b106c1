using System.ComponentModel.DataAnnotations.Schema;
using System.Reflection;
using Flows.Redshift.Sql;
using NpgsqlTypes;

namespace Flows.Redshift.Loading;

/// <summary>
/// A column of a load, from a public property of the row type: named by <see cref="ColumnAttribute"/> or the
/// property's name in lower case (Redshift folds names to lower case, and Dapper maps them back), typed by its
/// .NET type or <see cref="ColumnAttribute.TypeName"/>.
/// </summary>
internal sealed record LoadColumn(string Name, string Property, string SqlType, NpgsqlDbType DbType, bool IsText, Func<object, object?> Read)
{
    public static IReadOnlyList<LoadColumn> For(Type rowType)
    {
        var properties = rowType.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.GetIndexParameters().Length == 0 && p.GetCustomAttribute<NotMappedAttribute>() is null)
            .ToList();
        if (properties.Count == 0)
        {
            throw new RedshiftInputException($"{rowType.Name} has no public properties to load as columns.");
        }

        var columns = properties.Select(p => Create(rowType, p)).ToList();
        var duplicate = columns.GroupBy(c => c.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new RedshiftInputException($"{rowType.Name} maps several properties to column '{duplicate.Key}'.");
        }

        return columns;
    }

    /// <summary>Finds columns by column or property name, naming any that do not exist.</summary>
    public static IReadOnlyList<LoadColumn> Resolve(IReadOnlyList<LoadColumn> columns, IEnumerable<string> names, string what, Type rowType) =>
        [.. names.Select(name => columns.FirstOrDefault(c => c.Name.Equals(name, StringComparison.OrdinalIgnoreCase) || c.Property.Equals(name, StringComparison.Ordinal))
            ?? throw new RedshiftInputException($"{what} '{name}' is not a column of {rowType.Name} (columns: {string.Join(", ", columns.Select(c => c.Name))})."))];

    private static LoadColumn Create(Type rowType, PropertyInfo property)
    {
        var attribute = property.GetCustomAttribute<ColumnAttribute>();
        var name = SqlText.CheckName(attribute?.Name ?? property.Name.ToLowerInvariant(), $"column name of {rowType.Name}.{property.Name}");
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        var (sqlType, dbType, isText) = Map(type) ?? throw new RedshiftInputException(
            $"{rowType.Name}.{property.Name} is a {property.PropertyType.Name}, which a load cannot store; use a number, string, bool, date or time type, or mark it [NotMapped].");
        return new LoadColumn(name, property.Name, attribute?.TypeName ?? sqlType, dbType, isText, property.GetValue);
    }

    private static (string SqlType, NpgsqlDbType DbType, bool IsText)? Map(Type type) => type switch
    {
        _ when type == typeof(string) => ("VARCHAR(65535)", NpgsqlDbType.Varchar, true),
        _ when type == typeof(char) => ("CHAR(1)", NpgsqlDbType.Char, true),
        _ when type == typeof(Guid) => ("CHAR(36)", NpgsqlDbType.Char, true),
        _ when type.IsEnum => ("VARCHAR(256)", NpgsqlDbType.Varchar, true),
        _ when type == typeof(bool) => ("BOOLEAN", NpgsqlDbType.Boolean, false),
        _ when type == typeof(byte) || type == typeof(short) => ("SMALLINT", NpgsqlDbType.Smallint, false),
        _ when type == typeof(int) => ("INTEGER", NpgsqlDbType.Integer, false),
        _ when type == typeof(long) => ("BIGINT", NpgsqlDbType.Bigint, false),
        _ when type == typeof(float) => ("REAL", NpgsqlDbType.Real, false),
        _ when type == typeof(double) => ("DOUBLE PRECISION", NpgsqlDbType.Double, false),
        _ when type == typeof(decimal) => ("DECIMAL(38, 10)", NpgsqlDbType.Numeric, false),
        _ when type == typeof(DateOnly) => ("DATE", NpgsqlDbType.Date, false),
        _ when type == typeof(TimeOnly) => ("TIME", NpgsqlDbType.Time, false),
        _ when type == typeof(DateTime) => ("TIMESTAMP", NpgsqlDbType.Timestamp, false),
        _ when type == typeof(DateTimeOffset) => ("TIMESTAMPTZ", NpgsqlDbType.TimestampTz, false),
        _ => null,
    };

    /// <summary>The value as the INSERT path binds it.</summary>
    public object DbValue(object row) => Read(row) switch
    {
        null => DBNull.Value,
        Enum e => e.ToString(),
        Guid g => g.ToString(),
        char c => c.ToString(),
        byte b => (short)b,
        DateTime t => DateTime.SpecifyKind(t, DateTimeKind.Unspecified),
        DateTimeOffset t => t.ToUniversalTime(),
        var value => value,
    };
}

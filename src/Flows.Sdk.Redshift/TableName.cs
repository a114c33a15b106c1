using Flows.Redshift.Sql;

namespace Flows.Redshift;

/// <summary>
/// A table, optionally schema-qualified. Both parts are always quoted in generated SQL, so any text is a safe
/// name. <c>"analytics.signups"</c> converts to schema <c>analytics</c>, table <c>signups</c>; use the constructor
/// for a name that itself contains a dot.
/// </summary>
public readonly record struct TableName
{
    /// <summary>A table in a schema (null: the session's search path).</summary>
    public TableName(string? schema, string name)
    {
        Schema = schema is null ? null : SqlText.CheckName(schema, "schema name");
        Name = SqlText.CheckName(name, "table name");
    }

    /// <summary>The schema, or null for the session's search path.</summary>
    public string? Schema { get; }

    /// <summary>The table's own name.</summary>
    public string Name { get; }

    /// <summary>Splits <c>schema.table</c> at its first dot; a name without a dot has no schema.</summary>
    public static TableName Parse(string qualifiedName)
    {
        ArgumentNullException.ThrowIfNull(qualifiedName);
        var dot = qualifiedName.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? new TableName(null, qualifiedName) : new TableName(qualifiedName[..dot], qualifiedName[(dot + 1)..]);
    }

    /// <summary>Same as <see cref="Parse"/>.</summary>
    public static implicit operator TableName(string qualifiedName) => Parse(qualifiedName);

    /// <summary>Same as <see cref="Parse"/>.</summary>
    public static TableName FromString(string qualifiedName) => Parse(qualifiedName);

    /// <summary>The quoted SQL form, <c>"schema"."table"</c>.</summary>
    public string ToSql() => Schema is null ? SqlText.Identifier(Name) : $"{SqlText.Identifier(Schema)}.{SqlText.Identifier(Name)}";

    /// <summary>The unquoted form, for messages.</summary>
    public override string ToString() => Schema is null ? Name : $"{Schema}.{Name}";
}

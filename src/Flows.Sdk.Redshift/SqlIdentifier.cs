using Flows.Redshift.Sql;

namespace Flows.Redshift;

/// <summary>
/// A name for a <c>{{ placeholder }}</c> in a SQL file that stands where an identifier goes
/// (<c>CREATE TABLE {{ schema }}.signups</c>): it is inserted quoted as an identifier, not as a string value.
/// </summary>
public sealed record SqlIdentifier
{
    /// <summary>Wraps a schema, table or column name.</summary>
    public SqlIdentifier(string name) => Name = SqlText.CheckName(name, "identifier");

    /// <summary>The name as given.</summary>
    public string Name { get; }

    /// <summary>The quoted SQL form.</summary>
    public override string ToString() => SqlText.Identifier(Name);
}

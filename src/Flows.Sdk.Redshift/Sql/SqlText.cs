using System.Globalization;
using System.Text;

namespace Flows.Redshift.Sql;

/// <summary>Quoting of identifiers and literals: the only way text from outside reaches generated SQL.</summary>
internal static class SqlText
{
    /// <summary>A name that can be quoted: not empty, no NUL (PostgreSQL and Redshift reject it in any text).</summary>
    public static string CheckName(string name, string what)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0)
        {
            throw new RedshiftInputException($"The {what} is empty.");
        }

        if (name.Contains('\0', StringComparison.Ordinal))
        {
            throw new RedshiftInputException($"The {what} '{name.Replace("\0", "\\0", StringComparison.Ordinal)}' contains a NUL character.");
        }

        return name;
    }

    /// <summary><c>"name"</c> with embedded quotes doubled.</summary>
    public static string Identifier(string name) => $"\"{IdentifierContent(name)}\"";

    /// <summary>Text for inside an already open <c>"..."</c>.</summary>
    public static string IdentifierContent(string name) => CheckName(name, "identifier").Replace("\"", "\"\"", StringComparison.Ordinal);

    /// <summary>
    /// <c>'text'</c> with quotes doubled, and backslashes doubled too when the server treats them as escapes
    /// (Redshift, or PostgreSQL with <c>standard_conforming_strings</c> off).
    /// </summary>
    public static string Literal(string value, bool backslashEscapes) => $"'{LiteralContent(value, backslashEscapes)}'";

    /// <summary>Text for inside an already open <c>'...'</c>.</summary>
    public static string LiteralContent(string value, bool backslashEscapes)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new RedshiftInputException("A string value contains a NUL character, which PostgreSQL and Redshift cannot store.");
        }

        var builder = new StringBuilder(value.Length + 2);
        foreach (var c in value)
        {
            if (c == '\'' || (c == '\\' && backslashEscapes))
            {
                builder.Append(c);
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    /// <summary>A comma-separated list of quoted identifiers.</summary>
    public static string IdentifierList(IEnumerable<string> names) => string.Join(", ", names.Select(Identifier));

    /// <summary>Invariant text of a value, as SQL and CSV want it.</summary>
    public static string? Invariant(object? value) => value switch
    {
        null => null,
        string s => s,
        bool b => b ? "true" : "false",
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime t => t.ToString("yyyy-MM-dd HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture).TrimEnd('.'),
        DateTimeOffset t => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture).TrimEnd('.') + "+00",
        TimeOnly t => t.ToString("HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture).TrimEnd('.'),
        double d when !double.IsFinite(d) => throw new RedshiftInputException($"The value {d} is not a finite number."),
        float f when !float.IsFinite(f) => throw new RedshiftInputException($"The value {f} is not a finite number."),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        Enum e => e.ToString(),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}

using System.Collections;

namespace Flows.Redshift.Sql;

/// <summary>
/// How a <c>{{ name }}</c> value is written into SQL. Only the types listed here render; anything else (a plain
/// object, a dictionary, a list of lists, bytes, a <see cref="TimeSpan"/>) is refused with the placeholder and the
/// type, since its <see cref="object.ToString"/> would be pasted as text and silently match nothing.
/// <list type="bullet">
/// <item><c>null</c> or <see cref="DBNull"/>: <c>NULL</c>.</item>
/// <item><see cref="bool"/>: <c>TRUE</c> / <c>FALSE</c>.</item>
/// <item>integers (<see cref="sbyte"/> to <see cref="ulong"/>, <see cref="Int128"/>, <see cref="UInt128"/>),
/// <see cref="decimal"/>, finite <see cref="double"/> and <see cref="float"/>: digits in the invariant culture,
/// negative ones in parentheses.</item>
/// <item><see cref="string"/>, <see cref="char"/>, <see cref="DateOnly"/> (<c>'2024-03-01'</c>), <see cref="DateTime"/>
/// (<c>'2024-03-01 04:05:06.789'</c>, its kind ignored), <see cref="DateTimeOffset"/> (in UTC,
/// <c>'2024-03-01 02:05:06+00'</c>), <see cref="TimeOnly"/> (<c>'04:05:06'</c>), <see cref="Guid"/> and enums (the
/// member's name): a quoted literal.</item>
/// <item><see cref="SqlIdentifier"/> and <see cref="TableName"/>: a quoted identifier.</item>
/// <item>any other <see cref="IEnumerable"/> of the above (arrays, lists, LINQ queries): the values, comma-separated,
/// for <c>IN ({{ states }})</c> or a column list; an empty one is refused.</item>
/// </list>
/// Inside a string literal or quoted identifier a value goes in as its text (the same text, without quotes), and
/// null and lists are refused.
/// </summary>
internal static class PlaceholderValues
{
    /// <summary>
    /// The value as SQL where code goes: a literal, a quoted identifier, or a comma-separated list of them. Literals
    /// double backslashes when <paramref name="backslashEscapes"/>; <paramref name="where"/> names the placeholder and
    /// its place for errors (<c>refresh.sql line 3: {{ states }}</c>).
    /// </summary>
    public static string InCode(object? value, bool backslashEscapes, string where)
    {
        if (Scalar(value, backslashEscapes, where) is { } scalar)
        {
            return scalar;
        }

        // Bytes would otherwise come out as a list of numbers.
        if (value is byte[] or not IEnumerable || IsDictionary(value.GetType()))
        {
            throw Unknown(where, value!);
        }

        var parts = new List<string>();
        foreach (var item in (IEnumerable)value)
        {
            parts.Add(Scalar(item, backslashEscapes, where) ?? throw item switch
            {
                IEnumerable => new RedshiftInputException($"{where} is a {Describe(value.GetType())}, a list of lists, which has no SQL form: give one flat list. Nothing was run."),
                _ => Unknown(where, value, item!),
            });
        }

        return parts.Count > 0
            ? string.Join(", ", parts)
            : throw new RedshiftInputException($"{where} is an empty list ({Describe(value.GetType())}), and IN () is not SQL. Check for no values before running the file. Nothing was run.");
    }

    /// <summary>The value's text for inside an open <c>'...'</c> or <c>"..."</c> (<paramref name="inside"/>), not yet escaped.</summary>
    public static string AsText(object? value, string where, string inside) => value switch
    {
        null or DBNull => throw new RedshiftInputException($"{where} is null, which cannot go inside {inside}. Nothing was run."),
        SqlIdentifier identifier => identifier.Name,
        TableName table => table.ToString(),
        _ when IsText(value) || IsNumber(value) || value is bool => Text(value, where),
        IEnumerable when value is not byte[] && !IsDictionary(value.GetType()) =>
            throw new RedshiftInputException($"{where} is a list ({Describe(value.GetType())}), which cannot go inside {inside}; put the placeholder where code goes, as in IN ({{{{ name }}}}). Nothing was run."),
        _ => throw Unknown(where, value),
    };

    /// <summary>A readable type name: <c>Dictionary&lt;String, Int32&gt;</c>, <c>List&lt;Int32[]&gt;</c>.</summary>
    public static string Describe(Type type)
    {
        if (type.IsArray)
        {
            return Describe(type.GetElementType()!) + "[]";
        }

        if (!type.IsGenericType)
        {
            return type.Name;
        }

        var name = type.Name;
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        return $"{(tick < 0 ? name : name[..tick])}<{string.Join(", ", type.GetGenericArguments().Select(Describe))}>";
    }

    /// <summary>The SQL of a value that is not a list; null when it is not one of the scalar types.</summary>
    private static string? Scalar(object? value, bool backslashEscapes, string where) => value switch
    {
        null or DBNull => "NULL",
        bool b => b ? "TRUE" : "FALSE",
        SqlIdentifier identifier => identifier.ToString(),
        TableName table => table.ToSql(),
        _ when IsNumber(value) => Text(value, where) is var number && number.StartsWith('-') ? $"({number})" : number,
        _ when IsText(value) => SqlText.Literal(Text(value, where), backslashEscapes),
        _ => null,
    };

    private static bool IsNumber(object value) =>
        value is sbyte or byte or short or ushort or int or uint or long or ulong or Int128 or UInt128 or decimal or double or float;

    private static bool IsText(object value) =>
        value is string or char or DateOnly or DateTime or DateTimeOffset or TimeOnly or Guid or Enum;

    private static string Text(object value, string where) => value switch
    {
        double d when !double.IsFinite(d) => throw new RedshiftInputException($"{where} is {d}, which is not a finite number. Nothing was run."),
        float f when !float.IsFinite(f) => throw new RedshiftInputException($"{where} is {f}, which is not a finite number. Nothing was run."),
        _ when SqlText.Invariant(value)! is var text && text.Contains('\0', StringComparison.Ordinal) =>
            throw new RedshiftInputException($"{where} contains a NUL character, which PostgreSQL and Redshift cannot store. Nothing was run."),
        _ => SqlText.Invariant(value)!,
    };

    private static bool IsDictionary(Type type) =>
        typeof(IDictionary).IsAssignableFrom(type)
        || type.GetInterfaces().Any(i => i.IsGenericType && (i.GetGenericTypeDefinition() == typeof(IDictionary<,>) || i.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>)));

    private static RedshiftInputException Unknown(string where, object value, object? element = null)
    {
        var what = element is null ? $"is a {Describe(value.GetType())}" : $"is a {Describe(value.GetType())} holding a {Describe(element.GetType())}";
        return new RedshiftInputException(
            $"{where} {what}, which placeholders do not render. Give a string, a number, a bool, a DateOnly, DateTime, DateTimeOffset, TimeOnly, Guid or enum, "
            + "a SqlIdentifier or TableName, or a list of these (docs/migrating-from-civis.md says how each is written). Nothing was run.");
    }
}

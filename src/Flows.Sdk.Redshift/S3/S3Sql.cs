using System.Globalization;
using System.Text;
using Flows.Redshift.Sql;

namespace Flows.Redshift.S3;

/// <summary>
/// Builds COPY and UNLOAD statements. Table and column names are quoted identifiers, every other value a
/// quoted literal in Redshift's rules (quotes and backslashes doubled); options Redshift rejects together are
/// refused here, with the option named, before anything runs.
/// </summary>
internal static class S3Sql
{
    public static string Copy(TableName table, CopyFromS3Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        S3Location.Parse(options.From, "CopyFromS3Options.From");
        CheckRole(options.IamRole, "CopyFromS3Options.IamRole");
        var columnar = options.Format is S3DataFormat.Parquet or S3DataFormat.Orc;
        if (columnar)
        {
            Refuse(options.Format, ("Gzip", options.Gzip), ("Delimiter", options.Delimiter is not null), ("IgnoreHeader", options.IgnoreHeader != 0),
                ("TimeFormat", options.TimeFormat is not null), ("DateFormat", options.DateFormat is not null), ("NullAs", options.NullAs is not null),
                ("EmptyAsNull", options.EmptyAsNull), ("BlanksAsNull", options.BlanksAsNull));
        }

        if (options.JsonPaths is not null && options.Format is not (S3DataFormat.Json or S3DataFormat.Avro))
        {
            throw new RedshiftInputException($"CopyFromS3Options.JsonPaths applies to JSON and Avro, not {options.Format}.");
        }

        var sql = new StringBuilder("COPY ").Append(table.ToSql());
        if (options.Columns.Count > 0)
        {
            sql.Append(" (").Append(SqlText.IdentifierList(options.Columns)).Append(')');
        }

        sql.Append("\nFROM ").Append(Literal(options.From))
            .Append("\nIAM_ROLE ").Append(Literal(options.IamRole))
            .Append("\nFORMAT AS ").Append(Format(options.Format, options.JsonPaths));
        Clause(sql, options.Delimiter is not null, "DELIMITER AS ", options.Delimiter);
        Clause(sql, options.Gzip, "GZIP");
        Clause(sql, options.Manifest, "MANIFEST");
        Clause(sql, options.Region is not null, "REGION AS ", options.Region);
        Clause(sql, options.TimeFormat is not null, "TIMEFORMAT AS ", options.TimeFormat);
        Clause(sql, options.DateFormat is not null, "DATEFORMAT AS ", options.DateFormat);
        if (options.IgnoreHeader != 0)
        {
            sql.Append("\nIGNOREHEADER AS ").Append(NonNegative(options.IgnoreHeader, "IgnoreHeader"));
        }

        Clause(sql, options.NullAs is not null, "NULL AS ", options.NullAs);
        Clause(sql, options.EmptyAsNull, "EMPTYASNULL");
        Clause(sql, options.BlanksAsNull, "BLANKSASNULL");
        Clause(sql, options.TruncateColumns, "TRUNCATECOLUMNS");
        Clause(sql, options.AcceptInvalidChars, "ACCEPTINVCHARS");
        if (options.MaxErrors is { } maxErrors)
        {
            sql.Append("\nMAXERROR AS ").Append(NonNegative(maxErrors, "MaxErrors"));
        }

        Clause(sql, options.CompressionUpdate is not null, options.CompressionUpdate == true ? "COMPUPDATE ON" : "COMPUPDATE OFF");
        Clause(sql, options.StatisticsUpdate is not null, options.StatisticsUpdate == true ? "STATUPDATE ON" : "STATUPDATE OFF");
        return sql.ToString();
    }

    public static string Unload(string query, UnloadToS3Options options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(query);
        ArgumentNullException.ThrowIfNull(options);
        S3Location.Parse(options.To, "UnloadToS3Options.To");
        CheckRole(options.IamRole, "UnloadToS3Options.IamRole");
        if (options.Format is S3DataFormat.Orc or S3DataFormat.Avro)
        {
            throw new RedshiftInputException($"UNLOAD cannot write {options.Format}; use Text, Csv, Json or Parquet.");
        }

        if (options.Format is S3DataFormat.Parquet)
        {
            Refuse(options.Format, ("Gzip", options.Gzip), ("Header", options.Header), ("Delimiter", options.Delimiter is not null), ("NullAs", options.NullAs is not null));
        }

        if (options.MaxFileSizeMb is { } size && size is < 5 or > 6200)
        {
            throw new RedshiftInputException($"UnloadToS3Options.MaxFileSizeMb is {size}; Redshift accepts 5 to 6200 MB.");
        }

        var sql = new StringBuilder("UNLOAD (").Append(Literal(query.Trim().TrimEnd(';'))).Append(")\nTO ").Append(Literal(options.To))
            .Append("\nIAM_ROLE ").Append(Literal(options.IamRole));
        Clause(sql, options.Format != S3DataFormat.Text, "FORMAT AS " + Format(options.Format, null));
        if (options.PartitionBy.Count > 0)
        {
            sql.Append("\nPARTITION BY (").Append(SqlText.IdentifierList(options.PartitionBy)).Append(')');
        }

        Clause(sql, options.Manifest, "MANIFEST");
        Clause(sql, options.Header, "HEADER");
        Clause(sql, options.Delimiter is not null, "DELIMITER AS ", options.Delimiter);
        Clause(sql, options.Gzip, "GZIP");
        Clause(sql, options.NullAs is not null, "NULL AS ", options.NullAs);
        Clause(sql, options.AllowOverwrite, "ALLOWOVERWRITE");
        Clause(sql, !options.Parallel, "PARALLEL OFF");
        if (options.MaxFileSizeMb is { } mb)
        {
            sql.Append("\nMAXFILESIZE AS ").Append(mb.ToString(CultureInfo.InvariantCulture)).Append(" MB");
        }

        Clause(sql, options.Region is not null, "REGION AS ", options.Region);
        return sql.ToString();
    }

    /// <summary>Redshift string literals: quotes and backslashes doubled.</summary>
    private static string Literal(string value) => SqlText.Literal(value, backslashEscapes: true);

    private static string Format(S3DataFormat format, string? jsonPaths) => format switch
    {
        S3DataFormat.Csv => "CSV",
        S3DataFormat.Text => "TEXT",
        S3DataFormat.Json => "JSON " + Literal(jsonPaths ?? "auto"),
        S3DataFormat.Avro => "AVRO " + Literal(jsonPaths ?? "auto"),
        S3DataFormat.Parquet => "PARQUET",
        S3DataFormat.Orc => "ORC",
        _ => throw new RedshiftInputException($"Unknown S3 data format {format}."),
    };

    private static void Clause(StringBuilder sql, bool when, string keyword, string? literal = null)
    {
        if (when)
        {
            sql.Append('\n').Append(keyword);
            if (literal is not null)
            {
                sql.Append(Literal(literal));
            }
        }
    }

    private static void Refuse(S3DataFormat format, params (string Option, bool Set)[] options)
    {
        var set = options.Where(o => o.Set).Select(o => o.Option).ToList();
        if (set.Count > 0)
        {
            throw new RedshiftInputException($"{string.Join(", ", set)} cannot be used with {format} files.");
        }
    }

    private static string NonNegative(int value, string option) => value >= 0
        ? value.ToString(CultureInfo.InvariantCulture)
        : throw new RedshiftInputException($"{option} is {value}; it cannot be negative.");

    private static void CheckRole(string role, string option)
    {
        if (string.IsNullOrWhiteSpace(role) || !role.StartsWith("arn:", StringComparison.Ordinal))
        {
            throw new RedshiftInputException($"{option} '{role}' is not an IAM role ARN (arn:aws:iam::<account>:role/<name>).");
        }
    }
}

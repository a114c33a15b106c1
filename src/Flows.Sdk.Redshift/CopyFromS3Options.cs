namespace Flows.Redshift;

/// <summary>
/// A Redshift <c>COPY ... FROM 's3://...'</c>. Every text option goes into the statement as a quoted literal.
/// See https://docs.aws.amazon.com/redshift/latest/dg/r_COPY.html.
/// </summary>
public sealed class CopyFromS3Options
{
    /// <summary>The source: an object, a key prefix, or (with <see cref="Manifest"/>) a manifest file, as <c>s3://bucket/key</c>.</summary>
    public required string From { get; init; }

    /// <summary>The role Redshift assumes to read the bucket (<c>IAM_ROLE 'arn:aws:iam::123456789012:role/Loader'</c>).</summary>
    public required string IamRole { get; init; }

    /// <summary>Columns to load, in file order; all of the table's when empty.</summary>
    public IReadOnlyList<string> Columns { get; init; } = [];

    /// <summary>The file format. Default <see cref="S3DataFormat.Csv"/>.</summary>
    public S3DataFormat Format { get; init; } = S3DataFormat.Csv;

    /// <summary>For <see cref="S3DataFormat.Json"/> and <see cref="S3DataFormat.Avro"/>: <c>auto</c> (the default), <c>auto ignorecase</c> or an <c>s3://</c> JSONPaths file.</summary>
    public string? JsonPaths { get; init; }

    /// <summary>The field delimiter for <see cref="S3DataFormat.Text"/> or <see cref="S3DataFormat.Csv"/>.</summary>
    public string? Delimiter { get; init; }

    /// <summary>The files are gzip-compressed (<c>GZIP</c>).</summary>
    public bool Gzip { get; init; }

    /// <summary><see cref="From"/> names a manifest listing the files (<c>MANIFEST</c>).</summary>
    public bool Manifest { get; init; }

    /// <summary>The bucket's region when it differs from the cluster's (<c>REGION 'us-west-2'</c>).</summary>
    public string? Region { get; init; }

    /// <summary>How timestamps are written: <c>auto</c>, <c>epochsecs</c>, <c>epochmillisecs</c> or a pattern such as <c>YYYY-MM-DD HH:MI:SS</c>.</summary>
    public string? TimeFormat { get; init; }

    /// <summary>How dates are written: <c>auto</c> or a pattern such as <c>YYYY-MM-DD</c>.</summary>
    public string? DateFormat { get; init; }

    /// <summary>Header lines to skip in each file (<c>IGNOREHEADER</c>).</summary>
    public int IgnoreHeader { get; init; }

    /// <summary>The text that stands for NULL (<c>NULL AS '\N'</c>).</summary>
    public string? NullAs { get; init; }

    /// <summary>Load empty CHAR/VARCHAR fields as NULL (<c>EMPTYASNULL</c>).</summary>
    public bool EmptyAsNull { get; init; }

    /// <summary>Load whitespace-only fields as NULL (<c>BLANKSASNULL</c>).</summary>
    public bool BlanksAsNull { get; init; }

    /// <summary>Cut strings to the column's width instead of failing (<c>TRUNCATECOLUMNS</c>).</summary>
    public bool TruncateColumns { get; init; }

    /// <summary>Replace invalid UTF-8 characters instead of failing (<c>ACCEPTINVCHARS</c>).</summary>
    public bool AcceptInvalidChars { get; init; }

    /// <summary>How many bad rows the load tolerates (<c>MAXERROR</c>); null: Redshift's default of 0.</summary>
    public int? MaxErrors { get; init; }

    /// <summary>Whether COPY chooses column compression on an empty table (<c>COMPUPDATE</c>); null leaves Redshift's default.</summary>
    public bool? CompressionUpdate { get; init; }

    /// <summary>Whether COPY refreshes the table's statistics (<c>STATUPDATE</c>); null leaves Redshift's default.</summary>
    public bool? StatisticsUpdate { get; init; }
}

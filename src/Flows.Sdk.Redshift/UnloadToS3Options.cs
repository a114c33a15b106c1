namespace Flows.Redshift;

/// <summary>
/// A Redshift <c>UNLOAD ('select ...') TO 's3://...'</c>. See
/// https://docs.aws.amazon.com/redshift/latest/dg/r_UNLOAD.html.
/// </summary>
public sealed class UnloadToS3Options
{
    /// <summary>The key prefix the files are written under, as <c>s3://bucket/prefix/name_</c>.</summary>
    public required string To { get; init; }

    /// <summary>The role Redshift assumes to write the bucket.</summary>
    public required string IamRole { get; init; }

    /// <summary>The file format: <see cref="S3DataFormat.Text"/> (the default, pipe-delimited), <see cref="S3DataFormat.Csv"/>, <see cref="S3DataFormat.Json"/> or <see cref="S3DataFormat.Parquet"/>.</summary>
    public S3DataFormat Format { get; init; } = S3DataFormat.Text;

    /// <summary>Partition the output by these columns (<c>PARTITION BY (...)</c>).</summary>
    public IReadOnlyList<string> PartitionBy { get; init; } = [];

    /// <summary>gzip-compress the files (<c>GZIP</c>); not for Parquet.</summary>
    public bool Gzip { get; init; }

    /// <summary>Also write a manifest listing the files (<c>MANIFEST</c>).</summary>
    public bool Manifest { get; init; }

    /// <summary>Write a header line with the column names (<c>HEADER</c>); text formats only.</summary>
    public bool Header { get; init; }

    /// <summary>The field delimiter for text formats.</summary>
    public string? Delimiter { get; init; }

    /// <summary>The text written for NULL; text formats only.</summary>
    public string? NullAs { get; init; }

    /// <summary>Overwrite files already under the prefix (<c>ALLOWOVERWRITE</c>).</summary>
    public bool AllowOverwrite { get; init; }

    /// <summary>Write one file per slice (true, Redshift's default) or serially (false: <c>PARALLEL OFF</c>).</summary>
    public bool Parallel { get; init; } = true;

    /// <summary>The largest file to write, in MB (5 to 6200; <c>MAXFILESIZE 100 MB</c>); null: Redshift's default.</summary>
    public int? MaxFileSizeMb { get; init; }

    /// <summary>The bucket's region when it differs from the cluster's (<c>REGION 'us-west-2'</c>).</summary>
    public string? Region { get; init; }
}

namespace Flows.Redshift;

/// <summary>The file format of a COPY or UNLOAD.</summary>
public enum S3DataFormat
{
    /// <summary>Comma-separated values with RFC 4180 quoting (<c>FORMAT AS CSV</c>).</summary>
    Csv,

    /// <summary>Delimited text (pipe by default; see the options' <c>Delimiter</c>), Redshift's own default format.</summary>
    Text,

    /// <summary>JSON (<c>FORMAT AS JSON 'auto'</c>, or a JSONPaths file).</summary>
    Json,

    /// <summary>Apache Parquet (columnar: no compression, delimiter or time-format options).</summary>
    Parquet,

    /// <summary>Apache ORC (COPY only; columnar).</summary>
    Orc,

    /// <summary>Apache Avro (COPY only).</summary>
    Avro,
}

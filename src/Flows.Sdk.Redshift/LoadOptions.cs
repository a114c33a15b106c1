namespace Flows.Redshift;

/// <summary>How <see cref="RedshiftDatabase.LoadAsync{T}"/> treats the target table.</summary>
public sealed class LoadOptions
{
    /// <summary>What happens to a table that already exists. Default <see cref="ExistingRows.Fail"/>.</summary>
    public ExistingRows ExistingRows { get; init; } = ExistingRows.Fail;

    /// <summary>The columns (or property names) that identify a row; required for <see cref="ExistingRows.Upsert"/>.</summary>
    public IReadOnlyList<string> Keys { get; init; } = [];

    /// <summary>The distribution key of a table the load creates (<c>DISTKEY</c>); Redshift only.</summary>
    public string? DistKey { get; init; }

    /// <summary>The sort keys of a table the load creates (<c>SORTKEY</c>); Redshift only.</summary>
    public IReadOnlyList<string> SortKeys { get; init; } = [];

    /// <summary>Rows per INSERT when there is no S3 staging. Default 1000.</summary>
    public int InsertBatchSize { get; init; } = 1000;
}

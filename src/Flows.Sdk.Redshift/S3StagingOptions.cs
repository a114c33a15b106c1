using Amazon.Runtime;
using Amazon.S3;

namespace Flows.Redshift;

/// <summary>
/// Where <see cref="RedshiftDatabase.LoadAsync{T}"/> stages rows before COPY: gzip CSV files and a manifest under a
/// unique prefix in one bucket, deleted after the load.
/// </summary>
public sealed class S3StagingOptions
{
    /// <summary>The bucket files are written to.</summary>
    public required string Bucket { get; init; }

    /// <summary>The key prefix under which each load gets its own folder. Default <c>flows-staging/</c>.</summary>
    public string Prefix { get; init; } = "flows-staging/";

    /// <summary>The role Redshift assumes to read the staged files (<c>IAM_ROLE</c> of the COPY).</summary>
    public required string IamRole { get; init; }

    /// <summary>The bucket's region; the SDK's fallback when not set.</summary>
    public string? Region { get; init; }

    /// <summary>An S3-compatible endpoint (a local test server, MinIO); path-style addressing is used with it.</summary>
    public Uri? ServiceUrl { get; init; }

    /// <summary>The credentials that write the files; the SDK's default chain when not set.</summary>
    public AWSCredentials? Credentials { get; init; }

    /// <summary>A ready client to use instead of one built from the settings above.</summary>
    public IAmazonS3? Client { get; init; }

    /// <summary>Rows per staged file. Several files let each Redshift slice load in parallel. Default 1,000,000.</summary>
    public int RowsPerFile { get; init; } = 1_000_000;

    /// <summary>Keep the staged files after the load (for debugging). Default false.</summary>
    public bool KeepStagedFiles { get; init; }
}

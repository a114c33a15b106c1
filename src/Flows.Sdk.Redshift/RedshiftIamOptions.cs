using Amazon.Runtime;

namespace Flows.Redshift;

/// <summary>
/// IAM authentication. Set <see cref="ClusterIdentifier"/> and <see cref="DbUser"/> for a provisioned cluster
/// (<c>redshift:GetClusterCredentials</c>) or <see cref="WorkgroupName"/> for Serverless
/// (<c>redshift-serverless:GetCredentials</c>). Credentials are cached until 60 s before they expire.
/// </summary>
public sealed class RedshiftIamOptions
{
    /// <summary>The provisioned cluster's identifier.</summary>
    public string? ClusterIdentifier { get; set; }

    /// <summary>The Serverless workgroup's name.</summary>
    public string? WorkgroupName { get; set; }

    /// <summary>The AWS region, such as <c>us-east-1</c>; the SDK's fallback (<c>AWS_REGION</c>, profile) when not set.</summary>
    public string? Region { get; set; }

    /// <summary>Provisioned clusters: the database user to get a password for.</summary>
    public string? DbUser { get; set; }

    /// <summary>Provisioned clusters: groups the user joins for the session.</summary>
    public IReadOnlyList<string> DbGroups { get; set; } = [];

    /// <summary>Provisioned clusters: create the user if it does not exist.</summary>
    public bool AutoCreate { get; set; }

    /// <summary>How long the password is valid (15 to 60 minutes). Default 15 minutes.</summary>
    public TimeSpan Duration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The API endpoint; by default <c>https://redshift.&lt;region&gt;.amazonaws.com/</c> or <c>https://redshift-serverless.&lt;region&gt;.amazonaws.com/</c>.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>The AWS credentials that sign the call; the SDK's default chain (environment, profile, container, instance) when not set.</summary>
    public AWSCredentials? Credentials { get; set; }
}

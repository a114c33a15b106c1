using Amazon.Runtime;

namespace Flows.Secrets;

/// <summary>Where <see cref="SsmSecretProvider"/> reads parameters. Configuration: <c>Flows:Secrets:Ssm</c>.</summary>
public sealed class SsmSecretProviderOptions
{
    /// <summary>The AWS region (<c>us-east-1</c>). Defaults to the SDK's own resolution (<c>AWS_REGION</c>, the profile).</summary>
    public string? Region { get; set; }

    /// <summary>Put before every secret name: with <c>/flows/prod/</c>, <c>van-api-key</c> is read from <c>/flows/prod/van-api-key</c>.</summary>
    public string Prefix { get; set; } = string.Empty;

    /// <summary>An endpoint to call instead of the region's (a VPC endpoint, or a local stand-in in tests).</summary>
    public Uri? ServiceUrl { get; set; }

    /// <summary>Credentials to sign with. Defaults to the SDK's credential chain (environment, profile, instance or task role).</summary>
    public AWSCredentials? Credentials { get; set; }
}

using Amazon;
using Amazon.Runtime;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;

namespace Flows.Secrets;

/// <summary>
/// Reads secrets from AWS Systems Manager Parameter Store with <c>GetParameter</c>, decrypting <c>SecureString</c>
/// parameters. A parameter that does not exist is a miss (the next provider is asked); any other error (access
/// denied, a wrong region, no credentials) fails resolution with a message naming the parameter, the region and
/// what to check.
/// </summary>
public sealed class SsmSecretProvider : ISecretProvider, IDisposable
{
    private readonly IAmazonSimpleSystemsManagement _client;
    private readonly bool _ownsClient;
    private readonly string _prefix;

    /// <summary>Creates a provider with its own client.</summary>
    public SsmSecretProvider(SsmSecretProviderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = new AmazonSimpleSystemsManagementConfig();
        if (options.ServiceUrl is { } url)
        {
            config.ServiceURL = url.ToString();
            config.AuthenticationRegion = options.Region;
        }
        else if (!string.IsNullOrWhiteSpace(options.Region))
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }

        _client = options.Credentials is { } credentials
            ? new AmazonSimpleSystemsManagementClient(credentials, config)
            : new AmazonSimpleSystemsManagementClient(config);
        _ownsClient = true;
        _prefix = options.Prefix;
        Region = options.Region ?? "the SDK's default region";
    }

    /// <summary>Creates a provider over a client you configured (from DI, for example).</summary>
    public SsmSecretProvider(IAmazonSimpleSystemsManagement client, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _prefix = prefix;
        Region = client.Config.RegionEndpoint?.SystemName ?? client.Config.AuthenticationRegion ?? "the SDK's default region";
    }

    /// <summary>The region the provider's client signs for, for messages.</summary>
    public string Region { get; }

    /// <summary>The parameter a secret name is read from.</summary>
    public string ParameterFor(string name) =>
        _prefix.Length == 0 || _prefix.EndsWith('/') || name.StartsWith('/') ? _prefix + name : _prefix + "/" + name;

    /// <inheritdoc />
    public string Describe(string name) => $"AWS SSM parameter {ParameterFor(name)} ({Region})";

    /// <inheritdoc />
    public async ValueTask<string?> GetAsync(string name, CancellationToken cancellationToken)
    {
        var parameter = ParameterFor(name);
        try
        {
            var response = await _client.GetParameterAsync(new GetParameterRequest { Name = parameter, WithDecryption = true }, cancellationToken).ConfigureAwait(false);
            return response.Parameter?.Value;
        }
        catch (ParameterNotFoundException)
        {
            return null;
        }
        catch (AmazonServiceException ex)
        {
            throw new SecretResolutionException(name, $"AWS SSM Parameter Store ({Region}) refused GetParameter for {parameter}: {ex.ErrorCode} ({(int)ex.StatusCode}): {ex.Message} {Advice(ex.ErrorCode)}", ex);
        }
        catch (AmazonClientException ex)
        {
            throw new SecretResolutionException(name, $"AWS SSM Parameter Store ({Region}) could not be asked for {parameter}: {ex.Message} Check the region, the endpoint and that AWS credentials are available.", ex);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsClient)
        {
            _client.Dispose();
        }
    }

    private string Advice(string? errorCode) => errorCode switch
    {
        "AccessDeniedException" => "Grant the caller ssm:GetParameter on the parameter (and kms:Decrypt on its key for a SecureString).",
        "InvalidSignatureException" or "UnrecognizedClientException" or "AuthFailure" =>
            $"Check that the region ({Region}) is where the parameter lives and that the credentials are valid there.",
        "InvalidKeyId" => "The parameter's KMS key is disabled or not usable by the caller.",
        _ => "Check the region, the credentials and the parameter's name.",
    };
}

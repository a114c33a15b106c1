using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;

namespace Flows.Redshift.Iam;

/// <summary>
/// Calls <c>GetClusterCredentials</c> (Query API, service <c>redshift</c>) or Serverless <c>GetCredentials</c>
/// (JSON 1.1, service <c>redshift-serverless</c>) with a SigV4-signed request, since AWSSDK.Redshift is not
/// available to this package.
/// </summary>
internal sealed class IamCredentialClient : IDisposable
{
    private const string QueryContentType = "application/x-www-form-urlencoded; charset=utf-8";
    private const string JsonContentType = "application/x-amz-json-1.1";

    private readonly RedshiftIamOptions _options;
    private readonly string? _database;
    private readonly TimeProvider _time;
    private readonly HttpClient _http;
    private readonly string _region;
    private readonly bool _serverless;

    public IamCredentialClient(RedshiftIamOptions options, string? database, TimeProvider time, HttpMessageHandler? handler = null)
    {
        _options = options;
        _database = database;
        _time = time;
        _http = handler is null ? new HttpClient() : new HttpClient(handler);
        _serverless = options.WorkgroupName is not null;
        _region = options.Region ?? FallbackRegionFactory.GetRegionEndpoint()?.SystemName
            ?? throw new RedshiftInputException("IAM authentication needs a region: set RedshiftIamOptions.Region or AWS_REGION.");
    }

    public string Service => _serverless ? "redshift-serverless" : "redshift";

    public Uri Endpoint => _options.Endpoint ?? new Uri($"https://{Service}.{_region}.amazonaws.com/");

    /// <summary>Checks the options make one complete request, before anything is sent.</summary>
    public static void Validate(RedshiftIamOptions options)
    {
        if ((options.ClusterIdentifier is null) == (options.WorkgroupName is null))
        {
            throw new RedshiftInputException("IAM authentication needs exactly one of RedshiftIamOptions.ClusterIdentifier (provisioned) or WorkgroupName (Serverless).");
        }

        if (options.ClusterIdentifier is not null && string.IsNullOrWhiteSpace(options.DbUser))
        {
            throw new RedshiftInputException($"IAM authentication to cluster '{options.ClusterIdentifier}' needs RedshiftIamOptions.DbUser.");
        }

        if (options.Duration < TimeSpan.FromMinutes(15) || options.Duration > TimeSpan.FromHours(1))
        {
            throw new RedshiftInputException($"RedshiftIamOptions.Duration is {options.Duration}; Redshift accepts 15 to 60 minutes.");
        }
    }

    public async Task<DbCredentials> FetchAsync(CancellationToken cancellationToken)
    {
        var credentials = await (_options.Credentials ?? await DefaultAWSCredentialsIdentityResolver.GetCredentialsAsync().ConfigureAwait(false))
            .GetCredentialsAsync().ConfigureAwait(false);
        var (body, contentType, target) = _serverless ? ServerlessRequest() : ProvisionedRequest();
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["Content-Type"] = contentType };
        if (target is not null)
        {
            headers["X-Amz-Target"] = target;
        }

        var signature = SigV4Signer.Sign("POST", Endpoint, headers, body, credentials, _region, Service, _time.GetUtcNow());
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        foreach (var (name, value) in headers.Where(h => !h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        request.Headers.TryAddWithoutValidation("Authorization", signature.Authorization);
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{(_serverless ? "GetCredentials" : "GetClusterCredentials")} for {Target} failed with HTTP {(int)response.StatusCode}: {ErrorMessage(text)}");
        }

        return _serverless ? ParseServerless(text) : ParseProvisioned(text);
    }

    public void Dispose() => _http.Dispose();

    private string Target => _serverless ? $"workgroup '{_options.WorkgroupName}'" : $"cluster '{_options.ClusterIdentifier}'";

    private (byte[] Body, string ContentType, string? Target) ProvisionedRequest()
    {
        var fields = new List<KeyValuePair<string, string>>
        {
            new("Action", "GetClusterCredentials"),
            new("Version", "2012-12-01"),
            new("ClusterIdentifier", _options.ClusterIdentifier!),
            new("DbUser", _options.DbUser!),
            new("DurationSeconds", ((int)_options.Duration.TotalSeconds).ToString(CultureInfo.InvariantCulture)),
        };
        if (_database is not null)
        {
            fields.Add(new("DbName", _database));
        }

        if (_options.AutoCreate)
        {
            fields.Add(new("AutoCreate", "true"));
        }

        for (var i = 0; i < _options.DbGroups.Count; i++)
        {
            fields.Add(new($"DbGroups.DbGroup.{i + 1}", _options.DbGroups[i]));
        }

        var body = string.Join('&', fields.Select(f => $"{Uri.EscapeDataString(f.Key)}={Uri.EscapeDataString(f.Value)}"));
        return (Encoding.UTF8.GetBytes(body), QueryContentType, null);
    }

    private (byte[] Body, string ContentType, string? Target) ServerlessRequest()
    {
        var request = new Dictionary<string, object>
        {
            ["workgroupName"] = _options.WorkgroupName!,
            ["durationSeconds"] = (int)_options.Duration.TotalSeconds,
        };
        if (_database is not null)
        {
            request["dbName"] = _database;
        }

        return (JsonSerializer.SerializeToUtf8Bytes(request), JsonContentType, "RedshiftServerless.GetCredentials");
    }

    private static DbCredentials ParseProvisioned(string xml)
    {
        var result = XDocument.Parse(xml).Descendants().FirstOrDefault(e => e.Name.LocalName == "GetClusterCredentialsResult")
            ?? throw new InvalidOperationException("GetClusterCredentials answered without a GetClusterCredentialsResult element.");
        string Field(string name) => result.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value
            ?? throw new InvalidOperationException($"GetClusterCredentials answered without {name}.");
        return new DbCredentials(
            Field("DbUser"),
            Field("DbPassword"),
            DateTimeOffset.Parse(Field("Expiration"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal));
    }

    private static DbCredentials ParseServerless(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        string Field(string name) => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new InvalidOperationException($"GetCredentials answered without {name}.");
        if (!root.TryGetProperty("expiration", out var expiration) || expiration.ValueKind != JsonValueKind.Number)
        {
            throw new InvalidOperationException("GetCredentials answered without expiration.");
        }

        // JSON-protocol timestamps are epoch seconds, possibly with a fraction.
        return new DbCredentials(Field("dbUser"), Field("dbPassword"), DateTimeOffset.UnixEpoch.AddSeconds(expiration.GetDouble()));
    }

    private static string ErrorMessage(string body)
    {
        try
        {
            if (body.TrimStart().StartsWith('<'))
            {
                var error = XDocument.Parse(body).Descendants().FirstOrDefault(e => e.Name.LocalName == "Error");
                string? Part(string name) => error?.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;
                return $"{Part("Code")}: {Part("Message")}";
            }

            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            var type = root.TryGetProperty("__type", out var t) ? t.GetString() : null;
            var message = root.TryGetProperty("message", out var m) ? m.GetString() : root.TryGetProperty("Message", out var m2) ? m2.GetString() : null;
            return $"{type?.Split('#').Last()}: {message}";
        }
        catch (Exception ex) when (ex is System.Xml.XmlException or JsonException)
        {
            return body.Length <= 200 ? body : body[..200];
        }
    }
}

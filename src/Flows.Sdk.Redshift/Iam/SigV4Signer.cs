using System.Globalization;
using System.Text;
using Amazon.Runtime;
using Amazon.Runtime.Internal.Auth;
using Amazon.Util;

namespace Flows.Redshift.Iam;

/// <summary>
/// Signs an HTTP request with AWS Signature Version 4. The canonical request is built here (the SDK keeps its
/// own canonicaliser internal); hashing, key derivation and the <c>Authorization</c> header come from
/// AWSSDK.Core's public <see cref="AWS4Signer"/>.
/// </summary>
internal static class SigV4Signer
{
    /// <summary>The result: the header to send, and the canonical request it signed (for tests and diagnostics).</summary>
    public sealed record Signature(string Authorization, string CanonicalRequest, string AmzDate);

    /// <summary>
    /// Adds <c>X-Amz-Date</c> (and <c>X-Amz-Security-Token</c> for session credentials) to
    /// <paramref name="headers"/>, then signs every header in it plus <c>host</c>.
    /// </summary>
    public static Signature Sign(
        string method,
        Uri uri,
        IDictionary<string, string> headers,
        byte[] body,
        ImmutableCredentials credentials,
        string region,
        string service,
        DateTimeOffset now)
    {
        var signedAt = now.UtcDateTime;
        var amzDate = signedAt.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        headers["X-Amz-Date"] = amzDate;
        if (credentials.UseToken)
        {
            headers["X-Amz-Security-Token"] = credentials.Token;
        }

        var canonicalHeaders = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["host"] = uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}",
        };
        foreach (var (name, value) in headers)
        {
            canonicalHeaders[name.ToLowerInvariant()] = string.Join(' ', value.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries));
        }

        var signedHeaders = string.Join(';', canonicalHeaders.Keys);
        var canonicalRequest = new StringBuilder()
            .Append(method).Append('\n')
            .Append(CanonicalPath(uri)).Append('\n')
            .Append(CanonicalQuery(uri)).Append('\n')
            .AppendJoin(string.Empty, canonicalHeaders.Select(h => $"{h.Key}:{h.Value}\n")).Append('\n')
            .Append(signedHeaders).Append('\n')
            .Append(AWSSDKUtils.ToHex(AWS4Signer.ComputeHash(body), true))
            .ToString();

        var result = AWS4Signer.ComputeSignature(credentials, region, signedAt, service, signedHeaders, canonicalRequest);
        return new Signature(result.ForAuthorizationHeader, canonicalRequest, amzDate);
    }

    private static string CanonicalPath(Uri uri)
    {
        var path = uri.AbsolutePath;
        if (path.Length == 0)
        {
            return "/";
        }

        // Non-S3 services encode each segment twice: once as sent, once more for the canonical form.
        return string.Join('/', path.Split('/').Select(segment => Uri.EscapeDataString(Uri.EscapeDataString(Uri.UnescapeDataString(segment)))));
    }

    private static string CanonicalQuery(Uri uri)
    {
        var query = uri.Query.TrimStart('?');
        if (query.Length == 0)
        {
            return string.Empty;
        }

        return string.Join('&', query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair =>
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                var name = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
                var value = equals < 0 ? string.Empty : Uri.UnescapeDataString(pair[(equals + 1)..]);
                return (Name: Uri.EscapeDataString(name), Value: Uri.EscapeDataString(value));
            })
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => $"{p.Name}={p.Value}"));
    }
}

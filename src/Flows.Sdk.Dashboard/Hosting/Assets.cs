using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace Flows.Dashboard.Hosting;

/// <summary>The dashboard's static files, served from the assembly with a content hash in their address (cached a year).</summary>
internal static class Assets
{
    private static readonly FrozenDictionary<string, Asset> Files = Load();

    /// <summary>The address of <paramref name="name"/> under the dashboard's root, with its content hash.</summary>
    public static string Path(string name) => $"/assets/{name}?v={Files[name].Hash}";

    /// <summary>The file, or 404.</summary>
    public static IResult Serve(HttpContext http, string name)
    {
        if (!Files.TryGetValue(name, out var asset))
        {
            return Results.NotFound();
        }

        http.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
        http.Response.Headers.ETag = "\"" + asset.Hash + "\"";
        return http.Request.Headers.IfNoneMatch.ToString() == "\"" + asset.Hash + "\""
            ? Results.StatusCode(StatusCodes.Status304NotModified)
            : Results.Bytes(asset.Content, asset.ContentType);
    }

    private static FrozenDictionary<string, Asset> Load()
    {
        const string prefix = "Flows.Dashboard.Assets.";
        var assembly = typeof(Assets).Assembly;
        var files = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var content = buffer.ToArray();
            var name = resource[prefix.Length..];
            var type = name.EndsWith(".css", StringComparison.Ordinal) ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
            files[name] = new Asset(content, type, Convert.ToHexString(SHA256.HashData(content), 0, 8).ToLowerInvariant());
        }

        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private sealed record Asset(byte[] Content, string ContentType, string Hash);
}

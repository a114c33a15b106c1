using Microsoft.Extensions.Logging;

namespace Flows.Dashboard.Tests.Support;

/// <summary>A flow that does everything a careless flow could do with a secret: logs it, attaches it, fails with it.</summary>
public sealed class SecretFlows
{
    /// <summary>The secret's value, resolved from configuration (Secrets:dash-api-key).</summary>
    public const string Value = "s3cr3t-Dashboard-Value-4242";

    /// <summary>The configuration that resolves the secret.</summary>
    public static Dictionary<string, string?> Settings => new() { ["Secrets:dash-api-key"] = Value };

    [Flow("dash-leaky")]
    public async Task UseSecret(string label, [Secret("dash-api-key")] string apiKey = "")
    {
        Flow.Logger.LogInformation("{Label} calls the API with key {Key}", label, apiKey);
        Flow.Artifacts.Markdown("request", $"# Request\n\nkey: {apiKey}", $"Called with {apiKey}");
        await Call(apiKey);
    }

    [Task("dash-leaky-call")]
    public Task Call(string key) => throw new UnauthorizedAccessException($"The API refused key {key}");
}

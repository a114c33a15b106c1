using Microsoft.Extensions.Logging;

namespace Flows.Orchestration.Tests.Fixtures;

/// <summary>A scheduled flow that leaks its secret every way a flow can: a log property, log text and its error.</summary>
public static class SecretScheduled
{
    [Flow("orch-secret-leak")]
    public static void Leak(string label = "none", [Secret("orch-api-key")] string apiKey = "")
    {
        Flow.Logger.LogInformation("Calling the API with {ApiKey} for {Label}", apiKey, label);
        Flow.Logger.LogInformation("{Text}", "key in text: " + apiKey);
        throw new InvalidOperationException("The API rejected key " + apiKey);
    }
}

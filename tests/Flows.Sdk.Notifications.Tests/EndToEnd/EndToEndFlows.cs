using Microsoft.Extensions.Logging;

namespace Flows.Notifications.Tests.EndToEnd;

/// <summary>Flows the end-to-end tests run for real, each ending one way.</summary>
public static class EndToEndFlows
{
    /// <summary>Fails every attempt: retried twice, one run, one event.</summary>
    [Flow("e2e-fails", Retries = 2)]
    public static Task Fails() => throw new InvalidOperationException("the upstream refused the batch\nat line 2");

    [Flow("e2e-completes")]
    public static Task Completes() => Task.CompletedTask;

    [Flow("e2e-times-out", TimeoutSeconds = 5)]
    public static Task TimesOut(CancellationToken cancellationToken) => UntilCancelled(cancellationToken);

    [Flow("e2e-is-cancelled")]
    public static Task IsCancelled(CancellationToken cancellationToken) => UntilCancelled(cancellationToken);

    [Flow("e2e-crashes")]
    public static Task Crashes(CancellationToken cancellationToken) => UntilCancelled(cancellationToken);

    [Flow("e2e-runs-long")]
    public static Task RunsLong(CancellationToken cancellationToken) => UntilCancelled(cancellationToken);

    /// <summary>What a deployment runs: fails when told to.</summary>
    [Flow("e2e-load")]
    public static Task Load(bool fail) => fail ? throw new InvalidOperationException("the warehouse is locked") : Task.CompletedTask;

    /// <summary>Fails, once per region: what a replica runs.</summary>
    [Flow("e2e-region-fails")]
    public static Task RegionFails(string region) => throw new InvalidOperationException($"{region} is down");

    /// <summary>Everything a careless flow does with its secrets: logs them, fails with them in its error, passes them on.</summary>
    [Flow("e2e-leaky")]
    public static async Task Leaky(string region, string password, [Secret("e2e-api-token")] string apiToken = "")
    {
        Flow.Logger.LogWarning("Calling {Region} with token {Token} and password {Password}", region, apiToken, password);
        await CallApi(apiToken, password);
    }

    [Task("e2e-leaky-call")]
    public static Task CallApi(string token, string password) =>
        throw new UnauthorizedAccessException($"The API refused token {token} (password {password})\nrequest: GET /v1/voters?token={token}");

    /// <summary>Waits for the run's token: until it times out, is cancelled, or its engine shuts down.</summary>
    private static Task UntilCancelled(CancellationToken cancellationToken) =>
        new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously).Task.WaitAsync(cancellationToken);
}

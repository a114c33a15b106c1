using System.Collections.Concurrent;

namespace Flows.Stores.Tests.Fixtures;

/// <summary>A flow that runs until it is cancelled, telling each test (by its key) when it is inside its body.</summary>
public static class CancellableJobs
{
    private static readonly ConcurrentDictionary<string, TaskCompletionSource<Guid>> StartedRuns = new();

    /// <summary>Completes with the run's id once the run of <paramref name="key"/> is inside its body.</summary>
    public static Task<Guid> Started(string key) => StartedRuns.GetOrAdd(key, static _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    [Task("store-cancellable-step")]
    public static async Task<int> Step(string key, CancellationToken cancellationToken)
    {
        StartedRuns.GetOrAdd(key, static _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(Flow.FlowRunId!.Value);
        await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
        return 1;
    }

    [Flow("store-cancellable")]
    public static Task<int> Cancellable(string key, CancellationToken cancellationToken) => Step(key, cancellationToken);

    /// <summary>As <see cref="Cancellable"/>, having resolved the secret <c>store-cancel-key</c> first (so the engine masks its value).</summary>
    [Flow("store-cancellable-with-secret")]
    public static async Task<int> CancellableWithSecret(string key, CancellationToken cancellationToken)
    {
        _ = await Flow.Secrets.GetAsync("store-cancel-key", cancellationToken);
        return await Step(key, cancellationToken);
    }
}

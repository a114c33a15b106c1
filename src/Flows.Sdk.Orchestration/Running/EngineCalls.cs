using System.Reflection;
using Flows.Runs;
using Flows.Stores;

namespace Flows.Orchestration.Running;

/// <summary>
/// The engine's and run store's calls for crash recovery and cancellation of runs not started, in one place.
/// </summary>
// TEMPORARY until the engine's crash-retry, cancel-unstarted and run-owner members are merged: bound by name.
internal static class EngineCalls
{
    /// <summary>The store's owner id, heartbeat interval and timeout, and its sweep for lapsed owners; null for a store without owners (in memory).</summary>
    public static StoreOwners? Owners(IRunStore store)
    {
        var type = store.GetType();
        if (type.GetProperty("OwnerId")?.GetValue(store) is not Guid owner)
        {
            return null;
        }

        var interval = type.GetProperty("HeartbeatInterval")?.GetValue(store) as TimeSpan? ?? TimeSpan.FromSeconds(10);
        var timeout = type.GetProperty("HeartbeatTimeout")?.GetValue(store) as TimeSpan? ?? interval * 3;
        var sweep = type.GetMethod("MarkCrashedRunsAsync", [typeof(CancellationToken)]);
        return new StoreOwners(owner, interval, timeout, ct => sweep is null ? Task.FromResult(0) : (Task<int>)sweep.Invoke(store, [ct])!);
    }

    public static Task<RunRecord?> TryRetryCrashedRunAsync(FlowEngine engine, Guid runId, CancellationToken cancellationToken) =>
        Invoke<RunRecord?>(engine, "TryRetryCrashedRunAsync", runId, cancellationToken);

    public static Task<bool> TryCancelScheduledRunAsync(FlowEngine engine, Guid runId, string reason, CancellationToken cancellationToken) =>
        Invoke<bool>(engine, "TryCancelScheduledRunAsync", runId, reason, cancellationToken);

    private static Task<T> Invoke<T>(FlowEngine engine, string name, params object[] arguments)
    {
        var method = typeof(FlowEngine).GetMethod(name, BindingFlags.Public | BindingFlags.Instance)
            ?? throw new NotSupportedException($"This build of Flows.Sdk has no FlowEngine.{name}.");
        return (Task<T>)method.Invoke(engine, arguments)!;
    }
}

/// <summary>A run store's notion of a live process: its owner id, how often it beats and when it counts as gone.</summary>
internal sealed record StoreOwners(Guid OwnerId, TimeSpan HeartbeatInterval, TimeSpan HeartbeatTimeout, Func<CancellationToken, Task<int>> MarkCrashedRunsAsync);

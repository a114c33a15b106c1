using Flows.Logging;
using Flows.Stores;
using Microsoft.Extensions.Logging;

namespace Flows.Recording;

/// <summary>Refusals: a batch the store refuses on its merits is split until the refused write is alone, which is dropped, logged and counted.</summary>
internal sealed partial class RunRecorder
{
    /// <summary>
    /// The store refused the part on its own merits: drops its writes (one, unless the store refused too many in a
    /// row), logs and counts them, and marks their flow runs so that their next write-through says so.
    /// </summary>
    private void Drop(Batch batch, RunWriteBatch part, int count, Exception error)
    {
        _telemetry.WritesDropped(count);
        if (count == 1)
        {
            _refusedInARow++;
        }
        else
        {
            LogStoreRefusesEverything(_log, RefusalsInARow, count, error);
        }

        foreach (var (kind, runId, flowRunId) in Writes(batch, part))
        {
            if (count == 1)
            {
                LogWriteDropped(_log, Describe(kind), runId, error);
            }

            // A lost cache entry costs a later call its result, not the flow its record.
            if (kind != RunWriteKind.CacheEntry && flowRunId is { } flow && !_refusedByFlow.ContainsKey(flow))
            {
                _refusedByFlow[flow] = $"The run store refused a {Describe(kind)} of run {runId} of this flow run, and it was dropped: {error.Message} "
                    + "The flow run's other writes are stored. See the engine's log (Flows.Runtime, event 100).";
            }
        }
    }

    private static int Count(RunWriteBatch b) => b.Runs.Count + b.Transitions.Count + b.Logs.Count + b.Artifacts.Count + b.CacheEntries.Count;

    /// <summary>The first half of the writes and the rest, each kind keeping its order.</summary>
    private static (RunWriteBatch First, RunWriteBatch Second) Split(RunWriteBatch batch, int count)
    {
        var take = count / 2;
        var runs = Cut(batch.Runs, ref take);
        var transitions = Cut(batch.Transitions, ref take);
        var logs = Cut(batch.Logs, ref take);
        var artifacts = Cut(batch.Artifacts, ref take);
        var cacheEntries = Cut(batch.CacheEntries, ref take);
        return (
            new RunWriteBatch { Runs = runs.First, Transitions = transitions.First, Logs = logs.First, Artifacts = artifacts.First, CacheEntries = cacheEntries.First },
            new RunWriteBatch { Runs = runs.Second, Transitions = transitions.Second, Logs = logs.Second, Artifacts = artifacts.Second, CacheEntries = cacheEntries.Second });

        static (IReadOnlyList<T> First, IReadOnlyList<T> Second) Cut<T>(IReadOnlyList<T> items, ref int take)
        {
            var n = Math.Min(take, items.Count);
            take -= n;
            return n == 0 ? ([], items) : n == items.Count ? (items, []) : ([.. items.Take(n)], [.. items.Skip(n)]);
        }
    }

    /// <summary>Each write of a part: what it is, its run, and the flow run it belongs to.</summary>
    private static IEnumerable<(RunWriteKind Kind, Guid RunId, Guid? FlowRunId)> Writes(Batch batch, RunWriteBatch part) =>
        part.Runs.Select(r => (RunWriteKind.Run, r.Id, r.FlowRunId))
            .Concat(part.Transitions.Select(t => (RunWriteKind.Transition, t.RunId, batch.FlowRunOf(t.RunId))))
            .Concat(part.Logs.Select(l => (RunWriteKind.Log, l.RunId, l.FlowRunId)))
            .Concat(part.Artifacts.Select(a => (RunWriteKind.Artifact, a.RunId, a.FlowRunId)))
            .Concat(part.CacheEntries.Select(c => (RunWriteKind.CacheEntry, c.RunId, batch.FlowRunOf(c.RunId))));

    private static string Describe(RunWriteKind kind) => kind switch
    {
        RunWriteKind.Run => "run record",
        RunWriteKind.Transition => "state transition",
        RunWriteKind.Log => "log line",
        RunWriteKind.Artifact => "artifact",
        _ => "cache entry",
    };

    [LoggerMessage(LogEventIds.StoreWriteDropped, LogLevel.Error, "The run store refused a {Write} of run {RunId}; it was dropped, and that run's record lacks it", EventName = nameof(LogEventIds.StoreWriteDropped))]
    private static partial void LogWriteDropped(ILogger logger, string write, Guid runId, Exception exception);

    [LoggerMessage(LogEventIds.StoreRefusesEverything, LogLevel.Error, "The run store refused {InARow} writes in a row, each on its own: it refuses every write, so the other {Count} writes of this batch were dropped without more attempts", EventName = nameof(LogEventIds.StoreRefusesEverything))]
    private static partial void LogStoreRefusesEverything(ILogger logger, int inARow, int count, Exception exception);
}

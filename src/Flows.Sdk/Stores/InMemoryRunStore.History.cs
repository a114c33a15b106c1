using System.Collections.Concurrent;
using Flows.Runs;

namespace Flows.Stores;

/// <summary>Big histories: keyset pages, cancel requests another caller can make, and pruning.</summary>
public sealed partial class InMemoryRunStore
{
    /// <inheritdoc />
    /// <remarks>Pages by keyset: a run's creation time and its place in the order runs were first saved.</remarks>
    public ValueTask<RunPage> QueryRunPageAsync(RunQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegative(query.Limit);
        (DateTimeOffset CreatedAt, long Sequence)? after = query.PageToken is { } token ? RunPageToken.ParseKeyset(token) : null;
        var page = Runs()
            .Select((run, sequence) => (Run: Record(run), Sequence: (long)sequence))
            .Where(e => query.Matches(e.Run))
            .Where(e => after is not { } a || e.Run.CreatedAt < a.CreatedAt || (e.Run.CreatedAt == a.CreatedAt && e.Sequence < a.Sequence))
            .OrderByDescending(e => e.Run.CreatedAt)
            .ThenByDescending(e => e.Sequence)
            .Skip(query.Offset)
            .Take(query.Limit + 1)
            .ToList();
        if (page.Count <= query.Limit)
        {
            return new(new RunPage([.. page.Select(e => e.Run)], null));
        }

        var last = page[query.Limit - 1];
        return new(new RunPage([.. page.Take(query.Limit).Select(e => e.Run)], RunPageToken.Keyset(last.Run.CreatedAt, last.Sequence)));
    }

    /// <inheritdoc />
    /// <remarks>One pass over the runs held.</remarks>
    public ValueTask<RunStatistics> GetRunStatisticsAsync(RunStatisticsQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var statistics = new RunStatisticsBuilder(query);
        var filter = query.ToRunQuery();
        foreach (var run in Runs())
        {
            if (Record(run) is var record && filter.Matches(record))
            {
                statistics.Add(record);
            }
        }

        return new(statistics.Build());
    }

    /// <inheritdoc />
    /// <remarks>Acts at once: an engine on this store cancels the run before this returns.</remarks>
    public ValueTask<bool> RequestCancelAsync(Guid runId, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reason);
        if (Find(runId) is not { } run || Record(run).State is not (RunState.Pending or RunState.Running or RunState.Retrying))
        {
            return new(false);
        }

        var request = new RunCancelRequest(runId, reason, _timeProvider.GetUtcNow());
        _cancelRequests[runId] = request;
        CancelRequested?.Invoke(request);
        return new(true);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RunCancelRequest>> GetCancelRequestsAsync(IReadOnlyCollection<Guid> runIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runIds);
        IReadOnlyList<RunCancelRequest> found = [.. runIds.Select(id => _cancelRequests.GetValueOrDefault(id)).OfType<RunCancelRequest>()];
        return new(found);
    }

    /// <inheritdoc />
    public ValueTask<PruneResult> PruneAsync(PruneRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        int flowRuns, runs, transitions = 0;
        HashSet<Guid> doomed;
        lock (_gate)
        {
            var all = _runs.ToArray();
            var records = all.Select(Record).ToList();
            doomed = [.. records.Where(r => r.ParentRunId is null && Prunable(r, request)).Select(r => r.Id)];
            flowRuns = doomed.Count;

            // Whatever descends from a doomed run (task runs, subflows, their task runs) goes with it.
            for (var grew = doomed.Count > 0; grew;)
            {
                grew = false;
                foreach (var r in records)
                {
                    if (r.ParentRunId is { } parent && doomed.Contains(parent) && doomed.Add(r.Id))
                    {
                        grew = true;
                    }
                }
            }

            runs = doomed.Count;
            if (runs > 0)
            {
                _runs = new ChunkedList();
                _index.Clear();
                _indexed = 0;
                foreach (var run in all.Where((_, i) => !doomed.Contains(records[i].Id)))
                {
                    _runs.Add(run);
                }

                foreach (var id in doomed)
                {
                    _waiting.Remove(id);
                    _cancelRequests.TryRemove(id, out _);
                    if (_transitions.TryRemove(id, out var list))
                    {
                        transitions += list.Count;
                    }
                }
            }
        }

        var logLines = Remove(_logs, l => doomed.Contains(l.RunId) || (l.FlowRunId is { } f && doomed.Contains(f)));
        var artifacts = Remove(_artifacts, a => doomed.Contains(a.RunId) || (a.FlowRunId is { } f && doomed.Contains(f)));
        PruneNotifications(doomed, request.EndedBefore);
        var cacheEntries = 0;
        foreach (var entry in _cache.Values)
        {
            if (entry.ExpiresAt is { } expires && expires < request.EndedBefore && _cache.TryRemove(KeyValuePair.Create(entry.Key, entry)))
            {
                cacheEntries++;
            }
        }

        return new(new PruneResult(flowRuns, runs, transitions, logLines, artifacts, cacheEntries));
    }

    /// <summary>Whether a top-level run is one <paramref name="request"/> deletes: ended before its cutoff, in a state it deletes.</summary>
    internal static bool Prunable(RunRecord run, PruneRequest request) =>
        run.EndedAt is { } ended && ended < request.EndedBefore
        && run.State switch
        {
            RunState.Completed or RunState.Cached or RunState.Cancelled => true,
            RunState.Failed or RunState.TimedOut or RunState.Crashed => !request.KeepFailed,
            _ => false,
        };

    private static int Remove<T>(List<T> list, Predicate<T> predicate)
    {
        lock (list)
        {
            return list.RemoveAll(predicate);
        }
    }
}

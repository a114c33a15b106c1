using System.Collections.Concurrent;

namespace Flows.Stores;

/// <summary>
/// A run store that keeps everything in process memory: for tests and for short scripts whose history need not
/// outlive the process. Every operation completes synchronously.
/// </summary>
public sealed class InMemoryRunStore : IRunStore
{
    private readonly ConcurrentDictionary<Guid, RunRecord> _runs = new();
    private readonly ConcurrentDictionary<Guid, List<StateTransition>> _transitions = new();
    private readonly List<RunLogEntry> _logs = [];

    /// <summary>How many runs are stored.</summary>
    public int Count => _runs.Count;

    /// <inheritdoc />
    public ValueTask SaveRunAsync(RunRecord run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        _runs[run.Id] = run;
        return default;
    }

    /// <inheritdoc />
    public ValueTask AddTransitionsAsync(IReadOnlyList<StateTransition> transitions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transitions);
        foreach (var transition in transitions)
        {
            var list = _transitions.GetOrAdd(transition.RunId, static _ => []);
            lock (list)
            {
                list.Add(transition);
            }
        }

        return default;
    }

    /// <inheritdoc />
    public ValueTask AddLogsAsync(IReadOnlyList<RunLogEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        lock (_logs)
        {
            _logs.AddRange(entries);
        }

        return default;
    }

    /// <inheritdoc />
    public ValueTask<RunRecord?> GetRunAsync(Guid runId, CancellationToken cancellationToken = default) =>
        new(_runs.GetValueOrDefault(runId));

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RunRecord>> QueryRunsAsync(RunQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        IReadOnlyList<RunRecord> result =
        [
            .. _runs.Values
                .Where(query.Matches)
                .OrderByDescending(r => r.CreatedAt)
                .ThenByDescending(r => r.Id)
                .Skip(query.Offset)
                .Take(query.Limit),
        ];
        return new(result);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<StateTransition>> GetTransitionsAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        if (!_transitions.TryGetValue(runId, out var list))
        {
            return new([]);
        }

        lock (list)
        {
            return new((IReadOnlyList<StateTransition>)[.. list]);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RunLogEntry>> GetLogsAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        lock (_logs)
        {
            return new((IReadOnlyList<RunLogEntry>)[.. _logs.Where(l => l.RunId == runId || l.FlowRunId == runId)]);
        }
    }

    /// <summary>Every stored run, oldest first.</summary>
    internal IReadOnlyList<RunRecord> AllRuns => [.. _runs.Values.OrderBy(r => r.CreatedAt).ThenBy(r => r.Id)];

    /// <summary>Every stored log line, in the order written.</summary>
    internal IReadOnlyList<RunLogEntry> AllLogs
    {
        get
        {
            lock (_logs)
            {
                return [.. _logs];
            }
        }
    }
}

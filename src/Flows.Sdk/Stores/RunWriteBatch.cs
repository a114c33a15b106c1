using Flows.Runs;

namespace Flows.Stores;

/// <summary>
/// Writes a store applies together, all or nothing: run snapshots (inserted or replaced), state transitions, log
/// lines, artifacts and cache entries. The engine batches what runs record into these.
/// </summary>
public sealed class RunWriteBatch
{
    /// <summary>Run snapshots, each replacing the stored one with the same id; a run's first appearance fixes its order among runs created in the same tick.</summary>
    public IReadOnlyList<RunRecord> Runs { get; init; } = [];

    /// <summary>State transitions, in the order they happened.</summary>
    public IReadOnlyList<StateTransition> Transitions { get; init; } = [];

    /// <summary>Log lines, in the order written.</summary>
    public IReadOnlyList<RunLogEntry> Logs { get; init; } = [];

    /// <summary>Artifacts, in the order created.</summary>
    public IReadOnlyList<RunArtifact> Artifacts { get; init; } = [];

    /// <summary>Cache entries, each replacing the stored one with the same key.</summary>
    public IReadOnlyList<CacheEntry> CacheEntries { get; init; } = [];

    /// <summary>The writes that create <paramref name="run"/>: the run, and its transition into its state at its creation time.</summary>
    internal static RunWriteBatch Creating(RunRecord run) => new()
    {
        Runs = [run],
        Transitions = [new StateTransition(run.Id, run.State, run.CreatedAt, run.Attempt)],
    };

    /// <summary>True when there is nothing to write.</summary>
    public bool IsEmpty => Runs.Count == 0 && Transitions.Count == 0 && Logs.Count == 0 && Artifacts.Count == 0 && CacheEntries.Count == 0;
}

namespace Flows.Stores;

/// <summary>What <see cref="IRunStore.PruneAsync"/> deleted.</summary>
/// <param name="FlowRuns">Top-level flow runs deleted.</param>
/// <param name="Runs">Runs deleted in all: those flow runs, their subflows and their task runs.</param>
/// <param name="Transitions">State transitions deleted.</param>
/// <param name="LogLines">Log lines deleted.</param>
/// <param name="Artifacts">Artifacts deleted.</param>
/// <param name="CacheEntries">Expired cache entries deleted.</param>
public sealed record PruneResult(int FlowRuns, int Runs, int Transitions, int LogLines, int Artifacts, int CacheEntries)
{
    /// <summary>Nothing deleted.</summary>
    public static PruneResult None { get; } = new(0, 0, 0, 0, 0, 0);

    /// <summary>The sum of two results (of two batches).</summary>
    public PruneResult Add(PruneResult other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new(FlowRuns + other.FlowRuns, Runs + other.Runs, Transitions + other.Transitions, LogLines + other.LogLines, Artifacts + other.Artifacts, CacheEntries + other.CacheEntries);
    }
}

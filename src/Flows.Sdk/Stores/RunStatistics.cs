using Flows.Runs;

namespace Flows.Stores;

/// <summary>What <see cref="IRunStore.GetRunStatisticsAsync"/> found: flow runs by state, over time, and per flow.</summary>
/// <param name="Total">How many runs the query matched.</param>
/// <param name="Counts">Runs by state; a state no run is in is absent.</param>
/// <param name="Buckets">Every bucket of the window in time order, empty ones included.</param>
/// <param name="Flows">Per flow name, in name order (ordinal).</param>
public sealed record RunStatistics(
    long Total,
    IReadOnlyDictionary<RunState, long> Counts,
    IReadOnlyList<RunStatisticsBucket> Buckets,
    IReadOnlyList<FlowRunStatistics> Flows)
{
    /// <summary>How many runs are in <paramref name="state"/>.</summary>
    public long Count(RunState state) => Counts.GetValueOrDefault(state);
}

/// <summary>The runs created in one bucket of time.</summary>
/// <param name="Start">When the bucket starts (inclusive); it ends a bucket size later (exclusive).</param>
/// <param name="Counts">Its runs by state; a state no run is in is absent.</param>
public sealed record RunStatisticsBucket(DateTimeOffset Start, IReadOnlyDictionary<RunState, long> Counts)
{
    /// <summary>How many runs the bucket holds.</summary>
    public long Total => Counts.Values.Sum();
}

/// <summary>One flow's runs: how many, and how long those that ended took.</summary>
/// <param name="Name">The flow's name.</param>
/// <param name="Count">Its runs, in any state.</param>
/// <param name="Timed">Its runs that started and ended: those <see cref="P50"/> and <see cref="P95"/> are taken over.</param>
/// <param name="P50">The median duration (end − start) of its timed runs, interpolated between the two nearest; null when none.</param>
/// <param name="P95">The 95th percentile duration, interpolated likewise (PostgreSQL's <c>percentile_cont</c>); null when none.</param>
public sealed record FlowRunStatistics(string Name, long Count, long Timed, TimeSpan? P50, TimeSpan? P95);

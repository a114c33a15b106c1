using Flows.Runs;

namespace Flows.Stores;

/// <summary>
/// Adds runs up into <see cref="RunStatistics"/>, for stores that read the runs themselves (the in-memory store, the
/// default implementation of <see cref="IRunStore.GetRunStatisticsAsync"/>), and the percentile rule every store shares.
/// </summary>
internal sealed class RunStatisticsBuilder
{
    private readonly RunStatisticsQuery _query;
    private readonly Dictionary<RunState, long>[] _buckets;
    private readonly Dictionary<string, (long Count, List<long> Durations)> _flows = new(StringComparer.Ordinal);

    public RunStatisticsBuilder(RunStatisticsQuery query)
    {
        query.Validate();
        _query = query;
        _buckets = [.. Enumerable.Range(0, query.BucketCount).Select(_ => new Dictionary<RunState, long>())];
    }

    /// <summary>Counts a run the query matched.</summary>
    public void Add(RunRecord run)
    {
        var bucket = _buckets[(run.CreatedAt - _query.From).Ticks / _query.BucketSize.Ticks];
        bucket[run.State] = bucket.GetValueOrDefault(run.State) + 1;
        var (count, durations) = _flows.GetValueOrDefault(run.Name);
        durations ??= [];
        if (run.Duration is { } duration)
        {
            durations.Add(duration.Ticks);
        }

        _flows[run.Name] = (count + 1, durations);
    }

    public RunStatistics Build() => Build(
        _query,
        [.. _buckets.Select((counts, i) => ((long)i, (IReadOnlyDictionary<RunState, long>)counts))],
        [.. _flows.Select(f => Flow(f.Key, f.Value.Count, f.Value.Durations))]);

    /// <summary>The statistics from counts by bucket and state, and per-flow figures, however a store found them.</summary>
    public static RunStatistics Build(RunStatisticsQuery query, IEnumerable<(long Bucket, IReadOnlyDictionary<RunState, long> Counts)> buckets, IEnumerable<FlowRunStatistics> flows)
    {
        var all = Enumerable.Range(0, query.BucketCount).Select(_ => new Dictionary<RunState, long>()).ToArray();
        foreach (var (bucket, counts) in buckets)
        {
            foreach (var (state, count) in counts)
            {
                all[bucket][state] = all[bucket].GetValueOrDefault(state) + count;
            }
        }

        var totals = new Dictionary<RunState, long>();
        foreach (var (state, count) in all.SelectMany(b => b))
        {
            totals[state] = totals.GetValueOrDefault(state) + count;
        }

        return new RunStatistics(
            totals.Values.Sum(),
            totals,
            [.. all.Select((counts, i) => new RunStatisticsBucket(query.From + (query.BucketSize * i), counts))],
            [.. flows.OrderBy(f => f.Name, StringComparer.Ordinal)]);
    }

    /// <summary>A flow's figures from its run count and the durations (ticks) of its timed runs, in any order.</summary>
    public static FlowRunStatistics Flow(string name, long count, List<long> durations)
    {
        durations.Sort();
        return new FlowRunStatistics(
            name,
            count,
            durations.Count,
            Percentile(durations.Count, 0.5, i => durations[(int)i]),
            Percentile(durations.Count, 0.95, i => durations[(int)i]));
    }

    /// <summary>
    /// The <paramref name="fraction"/> percentile of <paramref name="count"/> sorted durations, <paramref name="at"/>
    /// giving the one at a 0-based rank: interpolated between the ranks around (count − 1) × fraction, as PostgreSQL's
    /// <c>percentile_cont</c> does. Null for no durations.
    /// </summary>
    public static TimeSpan? Percentile(long count, double fraction, Func<long, long> at)
    {
        if (count == 0)
        {
            return null;
        }

        var (low, high, weight) = Ranks(count, fraction);
        var lower = at(low);
        return TimeSpan.FromTicks(high == low ? lower : (long)Math.Round(lower + ((at(high) - lower) * weight)));
    }

    /// <summary>The two ranks a percentile falls between and how far along (0..1); the SQL stores read just those rows.</summary>
    public static (long Low, long High, double Weight) Ranks(long count, double fraction)
    {
        var position = (count - 1) * fraction;
        var low = (long)Math.Floor(position);
        return (low, Math.Min(low + 1, count - 1), position - low);
    }
}

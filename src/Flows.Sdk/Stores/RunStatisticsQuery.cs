namespace Flows.Stores;

/// <summary>
/// Which flow runs <see cref="IRunStore.GetRunStatisticsAsync"/> counts: those created in [<see cref="From"/>,
/// <see cref="To"/>) matching the filters, whatever their state. Unset filters match everything.
/// </summary>
public sealed record RunStatisticsQuery
{
    /// <summary>The most buckets a query may ask for (<see cref="To"/> − <see cref="From"/> over <see cref="BucketSize"/>).</summary>
    public const int MaxBuckets = 10_000;

    /// <summary>Runs created at or after this time; also where the first bucket starts.</summary>
    public required DateTimeOffset From { get; init; }

    /// <summary>Runs created before this time.</summary>
    public required DateTimeOffset To { get; init; }

    /// <summary>How long each bucket of <see cref="RunStatistics.Buckets"/> is; buckets are aligned to <see cref="From"/>.</summary>
    public required TimeSpan BucketSize { get; init; }

    /// <summary>Only runs of this flow.</summary>
    public string? Name { get; init; }

    /// <summary>Only runs started by this deployment.</summary>
    public string? Deployment { get; init; }

    /// <summary>Only runs carrying this tag (compared exactly).</summary>
    public string? Tag { get; init; }

    /// <summary>How many buckets the window holds: the last one may end after <see cref="To"/>.</summary>
    public int BucketCount => (int)Math.Ceiling((double)(To - From).Ticks / BucketSize.Ticks);

    /// <summary>The run query listing the same runs: flow runs of the window, filtered alike.</summary>
    public RunQuery ToRunQuery() => new()
    {
        Kind = Runs.RunKind.Flow,
        Name = Name,
        Deployment = Deployment,
        Tag = Tag,
        CreatedAfter = From,
        CreatedBefore = To,
    };

    /// <summary>Throws when the window is empty or reversed, the bucket size not positive, or the buckets too many.</summary>
    /// <exception cref="ArgumentException">The query is not one a store can answer.</exception>
    public void Validate()
    {
        if (To <= From)
        {
            throw new ArgumentException($"The statistics window ends ({To:O}) at or before it starts ({From:O}).", nameof(To));
        }

        if (BucketSize <= TimeSpan.Zero)
        {
            throw new ArgumentException($"The bucket size {BucketSize} is not positive.", nameof(BucketSize));
        }

        if ((To - From).Ticks / BucketSize.Ticks >= MaxBuckets)
        {
            throw new ArgumentException($"The window {To - From} in buckets of {BucketSize} makes more than {MaxBuckets} buckets.", nameof(BucketSize));
        }
    }
}

using System.ComponentModel;

namespace Flows.CompilerServices;

/// <summary>
/// The options of a flow or task as compiled from its attribute. Generated code creates one per method; the
/// engine may merge configuration overrides into a copy.
/// For generated code; not a stable API for hand-written code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed record RunOptions
{
    /// <summary>The stable name runs are recorded under.</summary>
    public required string Name { get; init; }

    /// <summary>A human description.</summary>
    public string? Description { get; init; }

    /// <summary>A version label.</summary>
    public string? Version { get; init; }

    /// <summary>Retries after the first attempt.</summary>
    public int Retries { get; init; }

    /// <summary>Base retry delay in seconds.</summary>
    public double RetryDelaySeconds { get; init; }

    /// <summary>Explicit per-retry delays in seconds.</summary>
    public IReadOnlyList<double> RetryDelaysSeconds { get; init; } = [];

    /// <summary>Delay growth.</summary>
    public Backoff Backoff { get; init; }

    /// <summary>Jitter fraction, 0 to 1.</summary>
    public double RetryJitter { get; init; }

    /// <summary>Exception types that are retried (empty: all but cancellation).</summary>
    public IReadOnlyList<Type> RetryOn { get; init; } = [];

    /// <summary>Exception types never retried.</summary>
    public IReadOnlyList<Type> NoRetryOn { get; init; } = [];

    /// <summary>Per-attempt timeout in seconds (0: none).</summary>
    public double TimeoutSeconds { get; init; }

    /// <summary>Tags.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Concurrent runs of this method (0: unlimited).</summary>
    public int MaxConcurrency { get; init; }

    /// <summary>Cache lifetime in seconds (0: no caching).</summary>
    public int CacheExpirationSeconds { get; init; }

    /// <summary>Run the task and replace its cached result instead of reading it.</summary>
    public bool RefreshCache { get; init; }

    /// <summary>Route <c>Console.Write*</c> to the run logger.</summary>
    public bool LogPrints { get; init; }

    /// <summary>Cron schedule (flows).</summary>
    public string? Schedule { get; init; }

    /// <summary>Time zone of the schedule (flows).</summary>
    public string? TimeZone { get; init; }

    /// <summary>Concurrent runs of this flow (0: unlimited).</summary>
    public int MaxConcurrentRuns { get; init; }

    /// <summary>What a flow run started while <see cref="MaxConcurrentRuns"/> runs are in progress does (flows).</summary>
    public OverlapPolicy Overlap { get; init; }
}

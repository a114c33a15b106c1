using System.Diagnostics.Metrics;
using Flows.Secrets;
using Flows.Secrets.Masking;
using Flows.Stores;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Flows;

/// <summary>How a <see cref="FlowEngine"/> records, logs, keeps time and resolves services.</summary>
public sealed class FlowEngineOptions
{
    /// <summary>Where runs are recorded. Defaults to an <see cref="InMemoryRunStore"/>.</summary>
    public IRunStore? Store { get; set; }

    /// <summary>The clock for timestamps and timeouts. Defaults to <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Where log lines go besides the run store. The engine adds a provider to it that stores every line written
    /// inside a run with that run. Defaults to a factory with no other output.
    /// </summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>
    /// Where the engine's meter comes from (a host's, so its metrics can be told apart and collected in tests).
    /// Defaults to one process-wide meter named <see cref="Telemetry.FlowsTelemetry.MeterName"/>.
    /// </summary>
    public IMeterFactory? MeterFactory { get; set; }

    /// <summary>Services used to create the classes that declare instance flows run by name.</summary>
    public IServiceProvider? Services { get; set; }

    /// <summary>
    /// Configuration that can override compiled options per environment: <c>Flows:Tasks:&lt;name&gt;:Retries</c>,
    /// <c>Flows:Flows:&lt;name&gt;:TimeoutSeconds</c> and the other numeric and list options.
    /// </summary>
    public IConfiguration? Configuration { get; set; }

    /// <summary>The lowest level of log line stored with runs. Defaults to <see cref="LogLevel.Information"/>.</summary>
    public LogLevel StoredLogLevel { get; set; } = LogLevel.Information;

    /// <summary>The source of randomness for retry jitter: returns a value in [0, 1). Defaults to <see cref="Random.Shared"/>.</summary>
    public Func<double>? Random { get; set; }

    /// <summary>Where secrets are resolved from and how long they are cached; see <see cref="SecretOptions"/>.</summary>
    public SecretOptions Secrets { get; } = new();

    /// <summary>The masker shared with a host's logger factory, so lines logged through DI loggers are masked too.</summary>
    internal SecretMasker? Masker { get; set; }

    /// <summary>
    /// How many task runs with a tag may run an attempt at once, by tag (a task needs a slot of every limited tag it
    /// has). Configuration <c>Flows:Limits:&lt;tag&gt;</c> overrides an entry. Every value must be 1 or more.
    /// </summary>
    public IDictionary<string, int> Limits { get; } = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// How many attempts of task runs with a tag may start per interval, by tag. Configuration
    /// <c>Flows:RateLimits:&lt;tag&gt; = "10/1s"</c> overrides an entry. Permits go from 1 to <see cref="int.MaxValue"/>
    /// and the interval from 1 ms to 49 days (see <see cref="RateLimit"/>); a value out of range stops the engine's creation.
    /// </summary>
    public IDictionary<string, RateLimit> RateLimits { get; } = new Dictionary<string, RateLimit>(StringComparer.OrdinalIgnoreCase);

    /// <summary>The store outage tolerance used when none is set in code or configuration.</summary>
    public static readonly TimeSpan DefaultStoreOutageTolerance = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a durable store that cannot be reached (its writes fail with transient errors: a server restarting or
    /// failing over, a dropped network) is waited for, measured on <see cref="TimeProvider"/>. Meanwhile nothing is
    /// lost: the engine tries again with growing pauses (up to 10 s), what runs record waits in memory, new task runs
    /// wait once the backlog is full, and a flow run's write-through (its start and end) waits. Once the outage has
    /// lasted this long, write-throughs fail with <see cref="RunStoreException"/> until the store is back, while the
    /// engine keeps what was recorded and keeps trying. Zero fails them at the first transient error. Defaults to
    /// <c>Flows:Store:OutageToleranceSeconds</c>, else 5 minutes.
    /// </summary>
    public TimeSpan? StoreOutageTolerance { get; set; }

    /// <summary>
    /// Whether <see cref="Limits"/>, <see cref="RateLimits"/> and flows' <c>MaxConcurrentRuns</c> are shared by every
    /// process on <see cref="Store"/> (when it supports that: <see cref="Stores.ISharedLimits"/>) or counted in this
    /// process only. Null reads configuration <c>Flows:LimitScope</c> (<c>Store</c> or <c>Process</c>), else
    /// <see cref="Flows.LimitScope.Store"/>. A task's own <c>MaxConcurrency</c> is always counted per process.
    /// </summary>
    public LimitScope? LimitScope { get; set; }

    /// <summary>The clock retry delays wait on, when it differs from <see cref="TimeProvider"/> (test harnesses skip these waits).</summary>
    internal TimeProvider? RetryTimeProvider { get; set; }

    /// <summary>
    /// How many writes may wait for a durable store before new task runs wait for it to catch up (to half of this).
    /// Large enough never to be reached while the store keeps pace; small enough to bound the memory a slow store costs.
    /// </summary>
    internal int RecorderBacklogLimit { get; set; } = 50_000;

    /// <summary>True when the engine created <see cref="Store"/> and disposes it with itself.</summary>
    internal bool OwnsStore { get; set; }

    /// <summary>True when the engine keeps the runs in progress (<see cref="FlowEngine.LiveRuns"/>), to wait for them when the process is told to stop.</summary>
    internal bool TracksLiveRuns { get; set; }
}

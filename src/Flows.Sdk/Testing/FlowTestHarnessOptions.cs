using System.Diagnostics.Metrics;
using Flows.Secrets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Flows.Testing;

/// <summary>Settings of a <see cref="FlowTestHarness"/>.</summary>
public sealed class FlowTestHarnessOptions
{
    /// <summary>Where the fake clock starts. Defaults to 2030-01-01T00:00:00Z.</summary>
    public DateTimeOffset StartTime { get; set; } = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Configuration overrides (<c>Flows:Tasks:&lt;name&gt;:Retries</c> and the like), as in an application.</summary>
    public IConfiguration? Configuration { get; set; }

    /// <summary>The lowest level of log line captured. Defaults to <see cref="LogLevel.Debug"/>.</summary>
    public LogLevel LogLevel { get; set; } = LogLevel.Debug;

    /// <summary>
    /// Secrets given inline, by name: <c>options.Secrets["van-api-key"] = "test-key"</c>. A harness asks only these
    /// and <see cref="SecretProviders"/>, never the machine's environment, so tests do not depend on it.
    /// </summary>
    public IDictionary<string, string> Secrets { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Providers asked after the inline <see cref="Secrets"/>, in order.</summary>
    public IList<ISecretProvider> SecretProviders { get; } = [];

    /// <summary>How long resolved secrets are cached, on the harness's fake clock. Defaults to 5 minutes.</summary>
    public TimeSpan? SecretCacheDuration { get; set; }

    /// <summary>Concurrency limits by tag, as <see cref="FlowEngineOptions.Limits"/>.</summary>
    public IDictionary<string, int> Limits { get; } = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Rate limits by tag, as <see cref="FlowEngineOptions.RateLimits"/>; windows pass on the fake clock.</summary>
    public IDictionary<string, RateLimit> RateLimits { get; } = new Dictionary<string, RateLimit>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Where the engine's meter comes from, to collect this harness's metrics apart from other tests'.</summary>
    public IMeterFactory? MeterFactory { get; set; }

    /// <summary>The source of jitter randomness. Defaults to a fixed-seed generator so runs repeat.</summary>
    public Func<double>? Random { get; set; }
}

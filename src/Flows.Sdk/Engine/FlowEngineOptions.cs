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

    /// <summary>The clock retry delays wait on, when it differs from <see cref="TimeProvider"/> (test harnesses skip these waits).</summary>
    internal TimeProvider? RetryTimeProvider { get; set; }

    /// <summary>True when the engine created <see cref="Store"/> and disposes it with itself.</summary>
    internal bool OwnsStore { get; set; }
}

using Flows.Stores;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Flows.Hosting;

/// <summary>Options of the engine a host creates with <see cref="Microsoft.Extensions.DependencyInjection.FlowsServiceCollectionExtensions.AddFlows"/>; bound from the <c>Flows</c> configuration section.</summary>
public sealed class FlowsOptions
{
    /// <summary>The lowest level of log line stored with runs. Configuration: <c>Flows:StoredLogLevel</c>.</summary>
    public LogLevel StoredLogLevel { get; set; } = LogLevel.Information;

    /// <summary>Creates the run store. Defaults to the store registered as <see cref="IRunStore"/>, else the one configuration names (<c>Flows:Store:Provider</c>: SQLite by default).</summary>
    // The configuration section Flows:Store describes the store (Provider, Path, ConnectionString); this factory is
    // code-only, so it binds under another key and the binder leaves it alone.
    [ConfigurationKeyName("StoreFactory")]
    public Func<IServiceProvider, IRunStore>? Store { get; set; }
}

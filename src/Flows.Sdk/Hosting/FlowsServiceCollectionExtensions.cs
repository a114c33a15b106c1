using System.Diagnostics.Metrics;
using Flows;
using Flows.Hosting;
using Flows.Secrets;
using Flows.Stores;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

// The one exception to the namespace rule (docs/architecture.md): AddX extensions live in the namespace of
// IServiceCollection, as every Microsoft.Extensions package's do, so services.AddX(...) needs no extra using.
#pragma warning disable IDE0130
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Registers Flows in a host's services.</summary>
public static class FlowsServiceCollectionExtensions
{
    /// <summary>
    /// Adds a <see cref="FlowEngine"/> built from the host's logging, configuration (<c>Flows</c> section) and
    /// services, and makes it the application's <see cref="FlowEngine.Default"/> while the host runs. Runs are
    /// recorded to the store <see cref="FlowsOptions.Store"/> creates, else the registered <see cref="IRunStore"/>,
    /// else the one configuration names (<c>Flows:Store:Provider</c> and its settings: SQLite at <c>~/.flows/flows.db</c> by default).
    /// Secrets come from every registered <see cref="ISecretProvider"/>, then <c>Flows:Secrets</c>; the host's logger
    /// factory is decorated so lines from any <c>ILogger&lt;T&gt;</c> have secret values masked (call it after any call
    /// that replaces the logger factory, such as Serilog's <c>AddSerilog</c>).
    /// With <c>Flows:Store:Retention</c> set (a time span such as <c>30.00:00:00</c>), runs that ended longer ago are
    /// pruned from the store when the host starts and every hour (failed ones kept unless
    /// <c>Flows:Store:RetentionKeepFailed</c> is false).
    /// </summary>
    public static IServiceCollection AddFlows(this IServiceCollection services, Action<FlowsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<FlowsOptions>().BindConfiguration("Flows");
        if (configure is not null)
        {
            services.Configure(configure);
        }

        SecretServiceRegistration.AddSecretMasking(services);
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<FlowsOptions>>().Value;
            var store = options.Store?.Invoke(sp) ?? sp.GetService<IRunStore>();
            var engineOptions = new FlowEngineOptions
            {
                Store = store ?? RunStoreConfiguration.Create(sp.GetService<IConfiguration>()),
                OwnsStore = store is null,
                TimeProvider = sp.GetService<TimeProvider>() ?? TimeProvider.System,
                LoggerFactory = sp.GetService<ILoggerFactory>(),
                MeterFactory = sp.GetService<IMeterFactory>(),
                Services = sp,
                Configuration = sp.GetService<IConfiguration>(),
                StoredLogLevel = options.StoredLogLevel,
            };
            SecretServiceRegistration.Apply(engineOptions, sp);
            return new FlowEngine(engineOptions);
        });
        services.AddHostedService<FlowEngineService>();
        services.AddHostedService<RetentionService>();
        return services;
    }
}

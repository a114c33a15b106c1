using Flows.Hosting;
using Flows.Stores;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Flows;

/// <summary>Registers Flows in a host's services.</summary>
public static class FlowsServiceCollectionExtensions
{
    /// <summary>
    /// Adds a <see cref="FlowEngine"/> built from the host's logging, configuration (<c>Flows</c> section) and
    /// services, and makes it the application's <see cref="FlowEngine.Default"/> while the host runs. Runs are
    /// recorded to the store <see cref="FlowsOptions.Store"/> creates, else the registered <see cref="IRunStore"/>,
    /// else the one configuration names (<see cref="RunStoreConfiguration.Create"/>: SQLite at <c>~/.flows/flows.db</c> by default).
    /// </summary>
    public static IServiceCollection AddFlows(this IServiceCollection services, Action<FlowsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<FlowsOptions>().BindConfiguration("Flows");
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<FlowsOptions>>().Value;
            var store = options.Store?.Invoke(sp) ?? sp.GetService<IRunStore>();
            return new FlowEngine(new FlowEngineOptions
            {
                Store = store ?? RunStoreConfiguration.Create(sp.GetService<IConfiguration>()),
                OwnsStore = store is null,
                TimeProvider = sp.GetService<TimeProvider>() ?? TimeProvider.System,
                LoggerFactory = sp.GetService<ILoggerFactory>(),
                Services = sp,
                Configuration = sp.GetService<IConfiguration>(),
                StoredLogLevel = options.StoredLogLevel,
            });
        });
        services.AddHostedService<FlowEngineService>();
        return services;
    }
}

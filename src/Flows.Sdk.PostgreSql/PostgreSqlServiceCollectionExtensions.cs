using Flows.Stores;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Flows;

/// <summary>Registers the PostgreSQL run store.</summary>
public static class PostgreSqlServiceCollectionExtensions
{
    /// <summary>
    /// Records runs in PostgreSQL: registers a <see cref="PostgreSqlRunStore"/> as the <see cref="IRunStore"/> that
    /// <see cref="FlowsServiceCollectionExtensions.AddFlows"/> uses. The connection string comes from
    /// <c>Flows:Store:ConnectionString</c>, else <c>ConnectionStrings:Flows</c>, the schema from <c>Flows:Store:Schema</c>;
    /// <paramref name="configure"/> may set either, or a data source, afterwards.
    /// </summary>
    public static IServiceCollection AddFlowsPostgreSqlStore(this IServiceCollection services, Action<PostgreSqlRunStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton<IRunStore>(sp =>
        {
            var configuration = sp.GetService<IConfiguration>();
            var options = new PostgreSqlRunStoreOptions
            {
                ConnectionString = configuration?["Flows:Store:ConnectionString"] ?? configuration?.GetConnectionString("Flows"),
                TimeProvider = sp.GetService<TimeProvider>() ?? TimeProvider.System,
            };
            if (configuration?["Flows:Store:Schema"] is { Length: > 0 } schema)
            {
                options.Schema = schema;
            }

            configure?.Invoke(options);
            return new PostgreSqlRunStore(options);
        });
        return services;
    }
}

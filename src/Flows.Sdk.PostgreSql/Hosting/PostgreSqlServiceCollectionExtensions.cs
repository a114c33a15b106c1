using Flows.Secrets;
using Flows.Stores;
using Flows.Stores.PostgreSql;
using Microsoft.Extensions.Configuration;

// The one exception to the namespace rule (docs/architecture.md): AddX extensions live in the namespace of
// IServiceCollection, as every Microsoft.Extensions package's do, so services.AddX(...) needs no extra using.
#pragma warning disable IDE0130
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Registers the PostgreSQL run store.</summary>
public static class PostgreSqlServiceCollectionExtensions
{
    /// <summary>
    /// Records runs in PostgreSQL: registers a <see cref="PostgreSqlRunStore"/> as the <see cref="IRunStore"/> that
    /// <see cref="FlowsServiceCollectionExtensions.AddFlows"/> uses. The connection string comes from
    /// <c>Flows:Store:ConnectionString</c>, else <c>ConnectionStrings:Flows</c>, the schema from <c>Flows:Store:Schema</c>,
    /// the heartbeat from <c>Flows:Store:HeartbeatInterval</c> and <c>Flows:Store:HeartbeatTimeout</c> (time spans such
    /// as <c>00:00:05</c>; 5 s and 10 s by default), and the password, when <c>Flows:Store:PasswordSecret</c> names one, from that secret through the Flows secret
    /// providers (registered <see cref="Flows.Secrets.ISecretProvider"/>s, then <c>Flows:Secrets</c>), masked like any
    /// other secret; <paramref name="configure"/> may set any of these, or a data source, afterwards.
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
            (options.HeartbeatInterval, options.HeartbeatTimeout) = StoreHeartbeat.Read(configuration, options.HeartbeatInterval, options.HeartbeatTimeout);
            if (configuration?["Flows:Store:Schema"] is { Length: > 0 } schema)
            {
                options.Schema = schema;
            }

            if (configuration?["Flows:Store:PasswordSecret"] is { Length: > 0 } passwordSecret)
            {
                var secrets = StoreSecrets.Create(sp, configuration, options.TimeProvider);
                options.Password = cancellationToken => secrets.GetAsync(passwordSecret, cancellationToken);
            }

            configure?.Invoke(options);
            return new PostgreSqlRunStore(options);
        });
        return services;
    }
}

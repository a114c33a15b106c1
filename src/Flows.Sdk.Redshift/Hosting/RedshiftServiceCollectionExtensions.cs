using Flows.Redshift;

// The one exception to the namespace rule (docs/architecture.md): AddX extensions live in the namespace of
// IServiceCollection, as every Microsoft.Extensions package's do, so services.AddRedshift(...) needs no extra using.
#pragma warning disable IDE0130
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Registers a <see cref="RedshiftDatabase"/> for flow classes to take in their constructors.</summary>
public static class RedshiftServiceCollectionExtensions
{
    /// <summary>
    /// Adds one <see cref="RedshiftDatabase"/> (a singleton: it owns the connection pool) configured by
    /// <paramref name="configure"/>; the container disposes it.
    /// </summary>
    public static IServiceCollection AddRedshift(this IServiceCollection services, Action<RedshiftOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new RedshiftOptions();
        configure(options);
        return services.AddSingleton(_ => new RedshiftDatabase(options));
    }
}

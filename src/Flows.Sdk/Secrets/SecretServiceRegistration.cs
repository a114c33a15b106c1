using Flows.Secrets.Masking;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Flows.Secrets;

/// <summary>
/// What <c>AddFlows</c> registers for secrets: one masker for the host, and the host's <see cref="ILoggerFactory"/>
/// decorated with it so every <c>ILogger&lt;T&gt;</c> resolved from DI masks secret values before any sink sees them.
/// </summary>
internal static class SecretServiceRegistration
{
    public static void AddSecretMasking(IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(SecretMasker)))
        {
            return;
        }

        services.AddSingleton(new SecretMasker());

        // Logging is registered first so there is a factory to decorate; AddLogging only adds what is missing.
        services.AddLogging();
        var index = LastIndexOf(services, typeof(ILoggerFactory));
        var original = services[index];
        services[index] = ServiceDescriptor.Singleton<ILoggerFactory>(sp =>
            new RedactingLoggerFactory(Create(original, sp), sp.GetRequiredService<SecretMasker>()));
    }

    /// <summary>Copies the engine's secret settings from the host: the shared masker and every registered <see cref="ISecretProvider"/>.</summary>
    public static void Apply(FlowEngineOptions options, IServiceProvider services)
    {
        options.Masker = services.GetService<SecretMasker>();
        foreach (var provider in services.GetServices<ISecretProvider>())
        {
            options.Secrets.Providers.Add(provider);
        }
    }

    private static int LastIndexOf(IServiceCollection services, Type type)
    {
        for (var i = services.Count - 1; i >= 0; i--)
        {
            if (services[i].ServiceType == type && !services[i].IsKeyedService)
            {
                return i;
            }
        }

        throw new InvalidOperationException($"No {type.Name} is registered after AddLogging.");
    }

    private static ILoggerFactory Create(ServiceDescriptor original, IServiceProvider services) =>
        (ILoggerFactory)(original.ImplementationInstance
            ?? original.ImplementationFactory?.Invoke(services)
            ?? ActivatorUtilities.CreateInstance(services, original.ImplementationType!));
}

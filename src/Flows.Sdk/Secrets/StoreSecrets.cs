using Flows.Secrets.Masking;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Flows.Secrets;

/// <summary>
/// Secrets a run store needs before any engine exists (a store is built first, and the engine on top of it):
/// the same providers and masker the host's engine gets, resolved on their own. For store and integration packages
/// (Flows.Sdk.PostgreSql reads its password secret through it).
/// </summary>
public static class StoreSecrets
{
    /// <summary>
    /// A resolver over the host's registered <see cref="ISecretProvider"/>s, then the providers
    /// <paramref name="configuration"/> names (<c>Flows:Secrets</c>); every value it resolves is masked in whatever
    /// the host's engine writes, as an engine's own secrets are.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configuration">The host's configuration, or null.</param>
    /// <param name="timeProvider">The clock of the resolver's cache.</param>
    public static SecretResolver Create(IServiceProvider services, IConfiguration? configuration, TimeProvider timeProvider)
    {
        var options = new SecretOptions();
        foreach (var provider in services.GetServices<ISecretProvider>())
        {
            options.Providers.Add(provider);
        }

        return SecretResolver.Create(options, configuration, timeProvider, services.GetService<SecretMasker>() ?? new SecretMasker(), CancellationToken.None);
    }
}

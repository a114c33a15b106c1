using Flows.Secrets.Masking;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Flows.Secrets;

/// <summary>
/// Secrets a run store needs before any engine exists (a store is built first, and the engine on top of it):
/// the same providers and masker the host's engine gets, resolved on their own.
/// </summary>
internal static class StoreSecrets
{
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

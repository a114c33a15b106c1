using Flows.Secrets;

namespace Flows.Secrets;

/// <summary>
/// Where an engine finds secrets and how long it keeps them. Providers given here come first; providers named in
/// configuration (<c>Flows:Secrets:Providers</c>) follow. With neither, the chain is: environment variables, Civis
/// credential variables, configuration (<c>Secrets:&lt;name&gt;</c>, when the engine has configuration), then files
/// in <c>/run/secrets</c>.
/// </summary>
public sealed class SecretOptions
{
    /// <summary>The cache duration used when none is set in code or configuration.</summary>
    public static readonly TimeSpan DefaultCacheDuration = TimeSpan.FromMinutes(5);

    /// <summary>Providers asked first, in order.</summary>
    public IList<ISecretProvider> Providers { get; } = [];

    /// <summary>
    /// How long a resolved value is reused before the providers are asked again, measured on the engine's
    /// <see cref="TimeProvider"/>. Zero asks every time. Defaults to <c>Flows:Secrets:CacheSeconds</c>, else 5 minutes.
    /// </summary>
    public TimeSpan? CacheDuration { get; set; }
}

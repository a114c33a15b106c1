using System.Collections.Concurrent;
using Flows.Secrets;
using Flows.Secrets.Masking;
using Microsoft.Extensions.Configuration;

namespace Flows.Secrets;

/// <summary>
/// Resolves secrets through an engine's provider chain (first hit wins) and caches each value for the engine's
/// cache duration, measured on the engine's clock. Every value it returns is masked from then on in everything the
/// engine records or logs. Reach it as <see cref="Flow.Secrets"/> from any code, or <see cref="FlowEngine.Secrets"/>.
/// </summary>
/// <example>
/// <code>
/// var apiKey = await Flow.Secrets.GetAsync("van-api-key");
/// var redshift = await Flow.Secrets.GetCredentialAsync("redshift");   // REDSHIFT_USERNAME / REDSHIFT_PASSWORD
/// </code>
/// </example>
public sealed class SecretResolver
{
    private readonly ConcurrentDictionary<(bool Credential, string Name), Entry> _cache = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _cacheDuration;
    private readonly CancellationToken _shutdown;

    private readonly IDisposable[] _owned;

    private SecretResolver(IReadOnlyList<ISecretProvider> providers, IDisposable[] owned, TimeSpan cacheDuration, TimeProvider time, SecretMasker masker, CancellationToken shutdown)
    {
        Providers = providers;
        _owned = owned;
        _cacheDuration = cacheDuration;
        _time = time;
        Masker = masker;
        _shutdown = shutdown;
    }

    /// <summary>The providers asked, in order.</summary>
    public IReadOnlyList<ISecretProvider> Providers { get; }

    internal SecretMasker Masker { get; }

    /// <summary>
    /// Masks <paramref name="value"/> from now on wherever this engine writes text (logs, stored runs, errors), as if
    /// it had been resolved here: for a secret obtained another way, such as an IAM temporary password. As for resolved
    /// secrets, a value shorter than 4 characters is not masked (it would mask ordinary words and numbers everywhere).
    /// </summary>
    public void Mask(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Masker.Add(value);
    }

    /// <summary>Returns <paramref name="text"/> with every secret value this engine knows replaced by <c>***</c>.</summary>
    public string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Masker.Redact(text);
    }

    /// <summary>
    /// Builds the chain from code and configuration (<c>Flows:Secrets</c>); throws, naming the configuration key,
    /// when a provider name or setting is unusable, so a bad configuration fails at engine creation.
    /// </summary>
    internal static SecretResolver Create(SecretOptions options, IConfiguration? configuration, TimeProvider time, SecretMasker masker, CancellationToken shutdown)
    {
        var providers = SecretProviderChain.Build(options, configuration);
        var cacheDuration = SecretProviderChain.CacheDuration(options, configuration);

        // Providers given in code belong to the caller; those the engine created from configuration are its own to dispose.
        var owned = providers.Skip(options.Providers.Count).OfType<IDisposable>().ToArray();
        return new SecretResolver(providers, owned, cacheDuration, time, masker, shutdown);
    }

    /// <summary>Returns a secret's value.</summary>
    /// <exception cref="ArgumentException">The name is empty.</exception>
    /// <exception cref="SecretResolutionException">No provider has the secret (the message lists where each looked), or a provider failed.</exception>
    public async ValueTask<string> GetAsync(string name, CancellationToken cancellationToken = default) =>
        (string)await ResolveAsync(false, name, cancellationToken).ConfigureAwait(false);

    /// <summary>Returns a secret's value, or null when no provider has it; a provider that fails still throws.</summary>
    /// <exception cref="ArgumentException">The name is empty.</exception>
    /// <exception cref="SecretResolutionException">A provider failed.</exception>
    public async ValueTask<string?> TryGetAsync(string name, CancellationToken cancellationToken = default)
    {
        try
        {
            return await GetAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch (SecretResolutionException ex) when (ex.IsNotFound)
        {
            return null;
        }
    }

    /// <summary>Returns a user name and password resolved together (Civis <c>&lt;NAME&gt;_USERNAME</c> / <c>&lt;NAME&gt;_PASSWORD</c>, or <c>&lt;name&gt;-username</c> / <c>&lt;name&gt;-password</c>).</summary>
    /// <exception cref="ArgumentException">The name is empty.</exception>
    /// <exception cref="SecretResolutionException">No provider has the credential, or a provider failed.</exception>
    public async ValueTask<SecretCredential> GetCredentialAsync(string name, CancellationToken cancellationToken = default) =>
        (SecretCredential)await ResolveAsync(true, name, cancellationToken).ConfigureAwait(false);

    /// <summary>Releases the providers the engine created (their AWS clients).</summary>
    internal void DisposeOwnedProviders()
    {
        foreach (var provider in _owned)
        {
            provider.Dispose();
        }
    }

    /// <summary>Resolves from the cache when a fresh value is there; otherwise one shared lookup for concurrent callers.</summary>
    private ValueTask<object> ResolveAsync(bool credential, string name, CancellationToken cancellationToken)
    {
        SecretNames.Validate(name, credential ? "GetCredentialAsync" : "GetAsync");
        var key = (credential, name);
        var now = _time.GetUtcNow();
        if (!_cache.TryGetValue(key, out var entry) || !entry.IsUsable(now))
        {
            // The lookup is shared by concurrent callers, so it runs on the engine's lifetime, not on one caller's token.
            var fresh = new Entry(() => LookupAsync(credential, name, _shutdown), now + _cacheDuration);
            entry = _cache.AddOrUpdate(key, fresh, (_, old) => old.IsUsable(now) ? old : fresh);
        }

        var lookup = entry.Lookup;
        return lookup.IsCompletedSuccessfully ? new(lookup.Result) : new(lookup.WaitAsync(cancellationToken));
    }

    private async Task<object> LookupAsync(bool credential, string name, CancellationToken cancellationToken)
    {
        foreach (var provider in Providers)
        {
            if (credential)
            {
                if (await provider.GetCredentialAsync(name, cancellationToken).ConfigureAwait(false) is { } found)
                {
                    Masker.Add(found.Password);
                    return found;
                }
            }
            else if (await provider.GetAsync(name, cancellationToken).ConfigureAwait(false) is { } value)
            {
                Masker.Add(value);
                return value;
            }
        }

        var tried = string.Join("; ", Providers.Select(p => credential ? p.DescribeCredential(name) : p.Describe(name)));
        throw new SecretResolutionException(
            name,
            $"{(credential ? "Credential" : "Secret")} '{name}' was not found. Tried: {(tried.Length == 0 ? "no providers are configured" : tried)}.")
        {
            IsNotFound = true,
        };
    }

    /// <summary>One cached lookup, started by the first caller that needs it: usable while in progress, or once succeeded until it expires.</summary>
    private sealed class Entry(Func<Task<object>> lookup, DateTimeOffset expiresAt)
    {
        private readonly Lazy<Task<object>> _lookup = new(lookup);

        public Task<object> Lookup => _lookup.Value;

        public bool IsUsable(DateTimeOffset now) =>
            !Lookup.IsCompleted || (Lookup.IsCompletedSuccessfully && now < expiresAt);
    }
}

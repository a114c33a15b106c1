using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Flows.Secrets;

/// <summary>
/// Builds an engine's provider chain from code and configuration, failing at engine creation, with the
/// configuration key, when a provider name is unknown or its settings are unusable.
/// </summary>
/// <remarks>
/// Configuration (section <c>Flows:Secrets</c>):
/// <code>
/// "Providers": [ "environment", "civis", "configuration", "files", "ssm" ],
/// "CacheSeconds": 300,
/// "Environment": { "Prefix": "" },
/// "Configuration": { "Section": "Secrets" },
/// "Files": { "Path": "/run/secrets" },
/// "Ssm": { "Region": "us-east-1", "Prefix": "/flows/prod/", "ServiceUrl": null }
/// </code>
/// </remarks>
internal static class SecretProviderChain
{
    public const string Section = "Flows:Secrets";

    private static readonly string[] Known = ["environment", "civis", "configuration", "files", "ssm"];

    /// <summary>The chain when neither code nor configuration names one (configuration only when the engine has any).</summary>
    private static readonly string[] Defaults = ["environment", "civis", "configuration", "files"];

    /// <summary>Each provider's settings section under <c>Flows:Secrets</c> and the keys it reads.</summary>
    private static readonly (string Provider, string Section, string[] Keys)[] Settings =
    [
        ("environment", "Environment", ["Prefix"]),
        ("configuration", "Configuration", ["Section"]),
        ("files", "Files", ["Path"]),
        ("ssm", "Ssm", ["Region", "Prefix", "ServiceUrl"]),
    ];

    public static IReadOnlyList<ISecretProvider> Build(SecretOptions options, IConfiguration? configuration)
    {
        var chain = new List<ISecretProvider>(options.Providers);
        var section = configuration?.GetSection(Section);
        var named = section is null ? [] : Listed(section.GetSection("Providers")).ToList();
        // What a setting of a provider left out of the chain is told: why the provider is not there, and what to do.
        Func<string, string> leftOut;
        if (named.Count > 0)
        {
            var listed = string.Join(", ", named.Select(n => n.Name?.Trim()));
            leftOut = provider => $"{Section}:Providers names {listed}. Name {provider} in {Section}:Providers";
        }
        else if (chain.Count > 0)
        {
            leftOut = provider => "the chain is the providers given in code (FlowEngineOptions.Secrets.Providers, or ISecretProvider services of a host), "
                + $"and {Section}:Providers names none. Name {provider} in {Section}:Providers to add it after them";
        }
        else
        {
            // The default chain is built from configuration like a named one, so its providers' settings apply to it.
            named = [.. Defaults.Where(name => name != "configuration" || configuration is not null).Select(name => ($"{Section}:Providers", (string?)name))];
            leftOut = provider => $"with no {Section}:Providers the chain is {string.Join(", ", Defaults)}, and SSM is only asked when named. "
                + $"Name {provider} in {Section}:Providers (for example \"{string.Join(",", Defaults)},{provider}\")";
        }

        foreach (var (key, name) in named)
        {
            chain.Add(Create(name, key, configuration, section));
        }

        if (section is not null)
        {
            RejectUnreadSettings(section, [.. named.Select(n => n.Name?.Trim().ToLowerInvariant())], leftOut);
        }

        return chain;
    }

    public static TimeSpan CacheDuration(SecretOptions options, IConfiguration? configuration)
    {
        if (options.CacheDuration is { } duration)
        {
            return duration >= TimeSpan.Zero ? duration : throw new ArgumentOutOfRangeException(nameof(options), duration, "The secret cache duration cannot be negative.");
        }

        var key = Section + ":CacheSeconds";
        if (configuration?[key] is not { } text)
        {
            return SecretOptions.DefaultCacheDuration;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0
            ? TimeSpan.FromSeconds(seconds)
            : throw new InvalidOperationException($"Configuration {key} is '{text}', which is not a number of seconds zero or greater.");
    }

    /// <summary>The provider names listed as an array (<c>Providers:0</c>, <c>Providers:1</c>) or as one comma-separated value.</summary>
    private static IEnumerable<(string Key, string? Name)> Listed(IConfigurationSection providers)
    {
        var children = providers.GetChildren().ToList();
        if (children.Count > 0)
        {
            return children.Select(c => (c.Path, c.Value));
        }

        return providers.Value is { Length: > 0 } text
            ? text.Split(',').Select(name => (providers.Path, (string?)name))
            : [];
    }

    /// <summary>
    /// Fails on a provider setting nothing reads: a key a provider does not have (a typo), or a setting of a provider
    /// the chain leaves out. A user who set <c>Files:Path</c> expects that folder to be read, not the default one.
    /// </summary>
    private static void RejectUnreadSettings(IConfigurationSection section, HashSet<string?> inChain, Func<string, string> leftOut)
    {
        foreach (var (provider, name, keys) in Settings)
        {
            foreach (var setting in section.GetSection(name).AsEnumerable(makePathsRelative: true).Where(s => !string.IsNullOrEmpty(s.Value)))
            {
                var key = $"{section.Path}:{name}:{setting.Key}";
                if (!keys.Contains(setting.Key, StringComparer.OrdinalIgnoreCase))
                {
                    throw new InvalidOperationException($"Configuration {key} is not a setting of the {provider} secret provider; it has {string.Join(", ", keys)}.");
                }

                if (!inChain.Contains(provider))
                {
                    throw new InvalidOperationException(
                        $"Configuration {key} is set, but the {provider} secret provider is not in the chain, so nothing would read it: "
                        + leftOut(provider) + ", or remove the setting.");
                }
            }
        }
    }

    private static ISecretProvider Create(string? name, string key, IConfiguration? configuration, IConfigurationSection? section)
    {
        switch (name?.Trim().ToLowerInvariant())
        {
            case "environment":
                return new EnvironmentSecretProvider(section?["Environment:Prefix"] ?? string.Empty);
            case "civis":
                return new CivisCredentialSecretProvider();
            case "configuration" when configuration is not null:
                return new ConfigurationSecretProvider(configuration, section?["Configuration:Section"] is { Length: > 0 } s ? s : ConfigurationSecretProvider.DefaultSection);
            case "files":
                return new FileSecretProvider(section?["Files:Path"] is { Length: > 0 } path ? path : FileSecretProvider.DefaultPath);
            case "ssm" when section is not null:
                return new SsmSecretProvider(Ssm(section.GetSection("Ssm")));
            default:
                throw new InvalidOperationException(
                    $"Configuration {key} is '{name}', which is not a secret provider. Known providers: {string.Join(", ", Known)}; "
                    + "add other providers in code (FlowEngineOptions.Secrets.Providers, or register an ISecretProvider with AddFlows).");
        }
    }

    private static SsmSecretProviderOptions Ssm(IConfigurationSection ssm)
    {
        var options = new SsmSecretProviderOptions
        {
            Region = ssm["Region"] is { Length: > 0 } region ? region : null,
            Prefix = ssm["Prefix"] ?? string.Empty,
        };
        if (ssm["ServiceUrl"] is { Length: > 0 } url)
        {
            options.ServiceUrl = Uri.TryCreate(url, UriKind.Absolute, out var uri)
                ? uri
                : throw new InvalidOperationException($"Configuration {ssm.Path}:ServiceUrl is '{url}', which is not an absolute URL.");
        }

        return options;
    }
}

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

    public static IReadOnlyList<ISecretProvider> Build(SecretOptions options, IConfiguration? configuration)
    {
        var chain = new List<ISecretProvider>(options.Providers);
        if (configuration is not null)
        {
            var section = configuration.GetSection(Section);
            foreach (var (key, name) in Listed(section.GetSection("Providers")))
            {
                chain.Add(Create(name, key, configuration, section));
            }
        }

        if (chain.Count == 0)
        {
            chain.Add(new EnvironmentSecretProvider());
            chain.Add(new CivisCredentialSecretProvider());
            if (configuration is not null)
            {
                chain.Add(new ConfigurationSecretProvider(configuration));
            }

            chain.Add(new FileSecretProvider());
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

    private static ISecretProvider Create(string? name, string key, IConfiguration configuration, IConfigurationSection section)
    {
        switch (name?.Trim().ToLowerInvariant())
        {
            case "environment":
                return new EnvironmentSecretProvider(section["Environment:Prefix"] ?? string.Empty);
            case "civis":
                return new CivisCredentialSecretProvider();
            case "configuration":
                return new ConfigurationSecretProvider(configuration, section["Configuration:Section"] is { Length: > 0 } s ? s : ConfigurationSecretProvider.DefaultSection);
            case "files":
                return new FileSecretProvider(section["Files:Path"] is { Length: > 0 } path ? path : FileSecretProvider.DefaultPath);
            case "ssm":
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

using Microsoft.Extensions.Configuration;

namespace Flows.Secrets;

/// <summary>
/// Reads secrets from .NET configuration under a section (<c>Secrets</c> by default): <c>van-api-key</c> is the key
/// <c>Secrets:van-api-key</c>. Any configuration source works: appsettings, user-secrets (<c>dotnet user-secrets set
/// "Secrets:van-api-key" ...</c>, which hosts load in Development), Azure Key Vault and the like.
/// </summary>
public sealed class ConfigurationSecretProvider : ISecretProvider
{
    /// <summary>The section read when none is given.</summary>
    public const string DefaultSection = "Secrets";

    private readonly IConfiguration _configuration;
    private readonly string _section;

    /// <summary>Reads secrets from <paramref name="configuration"/> under <paramref name="section"/>.</summary>
    public ConfigurationSecretProvider(IConfiguration configuration, string section = DefaultSection)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentException.ThrowIfNullOrWhiteSpace(section);
        _configuration = configuration;
        _section = section;
    }

    /// <inheritdoc />
    public string Describe(string name) => $"configuration key {Key(name)}";

    /// <inheritdoc />
    public ValueTask<string?> GetAsync(string name, CancellationToken cancellationToken) =>
        new(_configuration[Key(name)] is { Length: > 0 } value ? value : null);

    private string Key(string name) => ConfigurationPath.Combine(_section, name);
}

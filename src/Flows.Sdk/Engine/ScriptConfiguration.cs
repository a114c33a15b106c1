using Flows.Stores;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Flows.Engine;

/// <summary>
/// The configuration of the zero-configuration engine a console script gets, read from the sources a Generic Host
/// reads its application configuration from, in the same order (later ones win): <c>appsettings.json</c>, then
/// <c>appsettings.{DOTNET_ENVIRONMENT}.json</c> (<c>Production</c> when unset), both in the content root (the current
/// directory, as a host's), then every environment variable (<c>Flows__Tasks__load__Retries</c> is
/// <c>Flows:Tasks:load:Retries</c>). Command-line arguments are the script's own and user secrets need the host's
/// package, so neither is read. A script moved into a host therefore keeps its settings.
/// </summary>
internal static class ScriptConfiguration
{
    /// <summary>The variable naming the environment, as a host reads it.</summary>
    public const string EnvironmentVariable = "DOTNET_ENVIRONMENT";

    /// <summary>The environment when <see cref="EnvironmentVariable"/> is unset, as a host's.</summary>
    public const string DefaultEnvironment = "Production";

    /// <summary>Reads the configuration from <paramref name="contentRoot"/> (the current directory when null) and the process's environment.</summary>
    /// <exception cref="InvalidDataException">A settings file is not valid JSON; the message names the file.</exception>
    public static IConfigurationRoot Build(string? contentRoot = null)
    {
        var environment = Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } named ? named : DefaultEnvironment;

        // No reload on change: a file watcher per script buys nothing for a process that runs once.
        return new ConfigurationBuilder()
            .SetBasePath(Path.GetFullPath(contentRoot ?? Directory.GetCurrentDirectory()))
            .AddJsonFile("appsettings.json", optional: true, reloadOnChange: false)
            .AddJsonFile($"appsettings.{environment}.json", optional: true, reloadOnChange: false)
            .AddEnvironmentVariables()
            .Build();
    }

    /// <summary>
    /// The engine options a host's <c>AddFlows</c> would take from the same configuration: the store it names
    /// (<see cref="RunStoreConfiguration.Create"/>: SQLite at <c>$FLOWS_HOME/flows.db</c> by default), overrides,
    /// limits and secrets (read by the engine from <see cref="FlowEngineOptions.Configuration"/>) and <c>Flows:StoredLogLevel</c>.
    /// </summary>
    public static FlowEngineOptions EngineOptions(IConfiguration configuration) => new()
    {
        Store = RunStoreConfiguration.Create(configuration),
        OwnsStore = true,
        Configuration = configuration,
        StoredLogLevel = configuration.GetValue("Flows:StoredLogLevel", LogLevel.Information),
        TracksLiveRuns = true,
    };
}

using Microsoft.Extensions.Configuration;

namespace Flows.Stores.Sqlite;

/// <summary>Where the embedded SQLite store keeps its file and how it detects crashed runs.</summary>
public sealed class SqliteRunStoreOptions
{
    /// <summary>The environment variable naming the folder that holds the default store (<c>flows.db</c>).</summary>
    public const string HomeVariable = "FLOWS_HOME";

    private string? _chosenPath;
    private string? _chosenBy;

    /// <summary>The database file. Created with its folder when missing.</summary>
    public required string Path { get; set; }

    /// <summary>The clock for timestamps and heartbeats. Defaults to <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>How often this process shows it is alive. Defaults to 10 s.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long without a heartbeat before the runs of a process that names another machine (another container on
    /// this host sharing the file) count as crashed; measured on this machine's clock (<see cref="TimeProvider"/>).
    /// Runs of a process on this machine are marked crashed as soon as the process is gone. Defaults to 60 s.
    /// </summary>
    public TimeSpan HeartbeatTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The default store: <c>Flows:Store:Path</c> from configuration when set, else <c>flows.db</c> in
    /// <c>Flows:Home</c> or in the folder named by <c>FLOWS_HOME</c>, else <c>~/.flows/flows.db</c>.
    /// </summary>
    /// <remarks>The heartbeat comes from <c>Flows:Store:HeartbeatInterval</c> and <c>Flows:Store:HeartbeatTimeout</c> when set.</remarks>
    public static SqliteRunStoreOptions FromConfiguration(IConfiguration? configuration)
    {
        var options = ChosenPath(configuration);
        (options.HeartbeatInterval, options.HeartbeatTimeout) = StoreHeartbeat.Read(configuration, options.HeartbeatInterval, options.HeartbeatTimeout);
        return options;
    }

    private static SqliteRunStoreOptions ChosenPath(IConfiguration? configuration)
    {
        if (configuration?["Flows:Store:Path"] is { Length: > 0 } path)
        {
            return Chosen(path, "The path comes from the setting Flows:Store:Path: make its folder writable, or point Flows:Store:Path at a file in one that is.");
        }

        if (configuration?["Flows:Home"] is { Length: > 0 } home)
        {
            return Chosen(System.IO.Path.Combine(home, "flows.db"), "The folder comes from the setting Flows:Home: make it writable, or point Flows:Home at one that is.");
        }

        if (Environment.GetEnvironmentVariable(HomeVariable) is { Length: > 0 } variable)
        {
            return Chosen(
                System.IO.Path.Combine(variable, "flows.db"),
                $"The folder comes from the environment variable {HomeVariable}: make it writable, or point {HomeVariable} at one that is.");
        }

        return Chosen(
            System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".flows", "flows.db"),
            $"The folder is the default, ~/.flows, as none of {HomeVariable}, Flows:Home and Flows:Store:Path is set: make it writable, or set {HomeVariable} to one that is.");
    }

    /// <summary>The default store from the environment alone: <c>$FLOWS_HOME/flows.db</c>, else <c>~/.flows/flows.db</c>.</summary>
    public static SqliteRunStoreOptions FromEnvironment() => FromConfiguration(null);

    /// <summary>Which setting chose <see cref="Path"/> and what to change to move it, in words, for the store's errors.</summary>
    internal string PathOrigin => _chosenBy is not null && string.Equals(_chosenPath, Path, StringComparison.Ordinal)
        ? _chosenBy
        : "The path comes from SqliteRunStoreOptions.Path, set in code: make its folder writable, or give a path in one that is.";

    private static SqliteRunStoreOptions Chosen(string path, string by) => new() { Path = path, _chosenPath = path, _chosenBy = by };
}

using Microsoft.Extensions.Configuration;

namespace Flows.Stores;

/// <summary>Where the embedded SQLite store keeps its file and how it detects crashed runs.</summary>
public sealed class SqliteRunStoreOptions
{
    /// <summary>The environment variable naming the folder that holds the default store (<c>flows.db</c>).</summary>
    public const string HomeVariable = "FLOWS_HOME";

    /// <summary>The database file. Created with its folder when missing.</summary>
    public required string Path { get; set; }

    /// <summary>The clock for timestamps and heartbeats. Defaults to <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>How often this process shows it is alive. Defaults to 10 s.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long without a heartbeat before the runs of a process on another machine (a shared file) count as
    /// crashed. Runs of a process on this machine are marked crashed as soon as the process is gone. Defaults to 60 s.
    /// </summary>
    public TimeSpan HeartbeatTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The default store: <c>Flows:Store:Path</c> from configuration when set, else <c>flows.db</c> in
    /// <c>Flows:Home</c> or in the folder named by <c>FLOWS_HOME</c>, else <c>~/.flows/flows.db</c>.
    /// </summary>
    public static SqliteRunStoreOptions FromConfiguration(IConfiguration? configuration)
    {
        if (configuration?["Flows:Store:Path"] is { Length: > 0 } path)
        {
            return new SqliteRunStoreOptions { Path = path };
        }

        var home = configuration?["Flows:Home"] is { Length: > 0 } configured ? configured : null;
        home ??= Environment.GetEnvironmentVariable(HomeVariable) is { Length: > 0 } variable ? variable : null;
        home ??= System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".flows");
        return new SqliteRunStoreOptions { Path = System.IO.Path.Combine(home, "flows.db") };
    }

    /// <summary>The default store from the environment alone: <c>$FLOWS_HOME/flows.db</c>, else <c>~/.flows/flows.db</c>.</summary>
    public static SqliteRunStoreOptions FromEnvironment() => FromConfiguration(null);
}

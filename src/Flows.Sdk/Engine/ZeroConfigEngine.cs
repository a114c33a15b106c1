namespace Flows.Engine;

/// <summary>
/// The engine scripts get without any setup, created on first use: configured as a host would be
/// (<see cref="ScriptConfiguration"/>: appsettings files in the current directory, then environment variables),
/// recording to the store configuration names (SQLite at <c>$FLOWS_HOME/flows.db</c> by default); Ctrl+C and SIGTERM
/// end its runs Cancelled and save what they recorded (<see cref="ScriptLifetime"/>), and a normal exit writes
/// everything out too.
/// </summary>
internal static class ZeroConfigEngine
{
    private static readonly Lazy<FlowEngine> Engine = new(Create);

    /// <summary>The zero-configuration engine, created the first time it is asked for.</summary>
    public static FlowEngine Instance => Engine.Value;

    /// <summary>The zero-configuration engine if something has created it, without creating it.</summary>
    public static FlowEngine? IfCreated => Engine.IsValueCreated ? Engine.Value : null;

    private static FlowEngine Create()
    {
        var configuration = ScriptConfiguration.Build();
        var timeout = ScriptLifetime.Timeout(configuration);
        var engine = new FlowEngine(ScriptConfiguration.EngineOptions(configuration));
        ScriptLifetime.Attach(engine, timeout);
        return engine;
    }
}

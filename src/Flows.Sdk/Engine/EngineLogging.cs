using Flows.Logging;
using Flows.Secrets.Masking;
using Microsoft.Extensions.Logging;

namespace Flows.Engine;

/// <summary>
/// An engine's logging: the logger factory lines inside runs go to (the one given, else one of its own), wrapped so
/// that every line is masked, with the provider that stores lines with their runs; the runtime's own logger; and
/// which optional lines and scopes are worth their cost.
/// </summary>
internal sealed class EngineLogging : IDisposable
{
    private readonly ILoggerFactory? _owned;
    private readonly bool _scopesWanted;

    public EngineLogging(FlowEngine engine, ILoggerFactory? given, LogLevel storedLogLevel, SecretMasker masker)
    {
        // Scopes cost an allocation per attempt; they are only worth it when someone else reads the lines.
        _scopesWanted = given is not null;

        // Task runs' own start and end lines are Debug: stored only when StoredLogLevel admits them, seen only by a
        // logger factory given; otherwise they are not even formatted.
        TaskLinesWanted = given is not null || storedLogLevel <= LogLevel.Debug;
        Factory = given is RedactingLoggerFactory redacting && redacting.Masker == masker
            ? redacting
            : new RedactingLoggerFactory(given ?? (_owned = new LoggerFactory()), masker);
        Factory.AddProvider(new RunLogProvider(engine));
        Runtime = Factory.CreateLogger("Flows.Runtime");
    }

    /// <summary>The masking logger factory lines inside runs are written to.</summary>
    public ILoggerFactory Factory { get; }

    /// <summary>The runtime's own lines (category Flows.Runtime).</summary>
    public ILogger Runtime { get; }

    /// <summary>Whether task runs' own start and end lines (Debug) are read by anyone.</summary>
    public bool TaskLinesWanted { get; }

    /// <summary>Puts the run's properties on every log line written during the run, when anyone reads them.</summary>
    public IDisposable? BeginScope(RunContext run) => _scopesWanted ? Runtime.BeginScope(new RunScope(run)) : null;

    /// <summary>Disposes the logger factory the engine made for itself, if it did.</summary>
    public void Dispose() => _owned?.Dispose();
}

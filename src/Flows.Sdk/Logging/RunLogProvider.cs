using System.Globalization;
using Flows.Engine;
using Flows.Runs;
using Microsoft.Extensions.Logging;

namespace Flows.Logging;

/// <summary>
/// A logger provider that stores every line written inside a run of its engine with that run, whichever
/// logger wrote it: the runtime, <see cref="Flow.Logger"/>, or an <see cref="ILogger{T}"/> from DI.
/// </summary>
internal sealed class RunLogProvider(FlowEngine engine) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new RunLogger(engine, categoryName);

    public void Dispose()
    {
    }

    private sealed class RunLogger(FlowEngine engine, string category) : ILogger
    {
        /// <summary>
        /// Set while this thread stores a line. A line logged while storing one (the recorder reporting that a write
        /// to a stopped store was dropped) goes to the other providers only: storing it would fail the same way, again.
        /// </summary>
        [ThreadStatic]
        private static bool t_storing;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) =>
            logLevel >= engine.StoredLogLevel && logLevel != LogLevel.None && RunContext.Current?.Engine == engine;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (t_storing || !IsEnabled(logLevel) || RunContext.Current is not { } run)
            {
                return;
            }

            t_storing = true;
            try
            {
                engine.Lifecycle.Log(new RunLogEntry(
                    run.Id,
                    run.FlowRunId,
                    engine.TimeProvider.GetUtcNow(),
                    logLevel,
                    category,
                    engine.Redact(formatter(state, exception)),
                    exception is null ? null : engine.Redact(exception.ToString()),
                    Properties(state)));
            }
            finally
            {
                t_storing = false;
            }
        }

        /// <summary>The structured values of a line (a message template's holes), as masked text; null when there are none.</summary>
        private IReadOnlyDictionary<string, string?>? Properties<TState>(TState state)
        {
            if (state is not IReadOnlyList<KeyValuePair<string, object?>> values || values.Count <= 1)
            {
                return null;
            }

            var properties = new Dictionary<string, string?>(values.Count, StringComparer.Ordinal);
            foreach (var (key, value) in values)
            {
                if (key != "{OriginalFormat}")
                {
                    properties[key] = value is null ? null : engine.Redact(Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty);
                }
            }

            return properties;
        }
    }
}

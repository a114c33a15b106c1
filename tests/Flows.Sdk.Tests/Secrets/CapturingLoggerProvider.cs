using Microsoft.Extensions.Logging;

namespace Flows.Tests.Secrets;

/// <summary>A log sink that keeps everything a real sink could read: the formatted message, every structured property and the exception's text.</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly List<string> _texts = [];

    /// <summary>Every piece of text the sink received, one entry per message, property value and exception.</summary>
    public IReadOnlyList<string> Texts
    {
        get
        {
            lock (_texts)
            {
                return [.. _texts];
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var texts = new List<string> { formatter(state, exception) };
            if (state is IEnumerable<KeyValuePair<string, object?>> properties)
            {
                foreach (var (_, value) in properties)
                {
                    texts.Add(value is System.Collections.IEnumerable items and not string
                        ? string.Join(",", items.Cast<object?>())
                        : value?.ToString() ?? string.Empty);
                }
            }

            if (exception is not null)
            {
                texts.Add(exception.ToString());
                texts.Add(exception.Message);
            }

            lock (owner._texts)
            {
                owner._texts.AddRange(texts);
            }
        }
    }
}

using System.Collections;
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Flows.Tests.Support;

/// <summary>
/// A logger provider that keeps every line, to check what was logged, with which id, level and exception, and
/// everything a real sink could read from it (<see cref="Texts"/>).
/// </summary>
public sealed class CapturedLog : ILoggerProvider
{
    private readonly ConcurrentQueue<Line> _lines = new();

    public IReadOnlyList<Line> Lines => [.. _lines];

    /// <summary>
    /// Every piece of text a sink received: per line its formatted message, each structured property's value (a list's
    /// items joined by commas) and the exception's text and message.
    /// </summary>
    public IReadOnlyList<string> Texts => [.. _lines.SelectMany(line => line.Texts)];

    public static (ILoggerFactory Factory, CapturedLog Log) Factory()
    {
        var log = new CapturedLog();
        return (LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(log)), log);
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    /// <summary>One log line as a sink receives it.</summary>
    public sealed record Line(string Category, LogLevel Level, int EventId, string Message, Exception? Exception, IReadOnlyList<string> PropertyValues)
    {
        /// <summary>The message, every property value, and the exception's text and message.</summary>
        public IEnumerable<string> Texts =>
            Exception is null ? [Message, .. PropertyValues] : [Message, .. PropertyValues, Exception.ToString(), Exception.Message];
    }

    private sealed class Logger(CapturedLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> properties
                ? properties.Select(p => p.Value is IEnumerable items and not string ? string.Join(",", items.Cast<object?>()) : p.Value?.ToString() ?? string.Empty).ToList()
                : [];
            log._lines.Enqueue(new Line(category, logLevel, eventId.Id, formatter(state, exception), exception, values));
        }
    }
}

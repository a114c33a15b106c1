using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Flows.Tests.Support;

/// <summary>A logger provider that keeps every line, to check what was logged, with which id, level and exception.</summary>
public sealed class CapturedLog : ILoggerProvider
{
    private readonly ConcurrentQueue<Line> _lines = new();

    public IReadOnlyList<Line> Lines => [.. _lines];

    public static (ILoggerFactory Factory, CapturedLog Log) Factory()
    {
        var log = new CapturedLog();
        return (LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(log)), log);
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    public sealed record Line(string Category, LogLevel Level, int EventId, string Message, Exception? Exception);

    private sealed class Logger(CapturedLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            log._lines.Enqueue(new Line(category, logLevel, eventId.Id, formatter(state, exception), exception));
    }
}

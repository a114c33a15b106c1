using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Flows;
using Flows.Stores;
using Microsoft.Extensions.Logging;

namespace Flows.Benchmarks;

/// <summary>
/// A task call with logging off (no logger factory, nothing below Information stored) against logging on: a logger
/// factory whose sink takes every line from Debug up, and Debug lines stored with the run, so each call formats,
/// masks and stores its started and finished lines and opens a log scope.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 3, iterationCount: 15, invocationCount: CallsPerIteration)]
public class LoggingBenchmarks : FreshEngineBenchmarks
{
    private const int CallsPerIteration = 50_000;

    private ILoggerFactory? _loggerFactory;

    [Params(false, true)]
    public bool Logging { get; set; }

    protected override FlowEngineOptions CreateOptions()
    {
        _loggerFactory = Logging ? LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(new DiscardingLoggerProvider())) : null;
        return new FlowEngineOptions
        {
            Store = new InMemoryRunStore(),
            LoggerFactory = _loggerFactory,
            StoredLogLevel = Logging ? LogLevel.Debug : LogLevel.Information,
        };
    }

    protected override void AfterIteration() => _loggerFactory?.Dispose();

    [Benchmark]
    public int TaskCall() => QuickWork.Bare(21);

    /// <summary>A sink that formats every line, as a real one would, and keeps nothing.</summary>
    private sealed class DiscardingLoggerProvider : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Discarding();

        public void Dispose()
        {
        }

        private sealed class Discarding : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                GC.KeepAlive(formatter(state, exception));
        }
    }
}

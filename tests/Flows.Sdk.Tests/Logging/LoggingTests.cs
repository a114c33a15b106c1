using Flows.Stores;
using Flows.Testing;
using Flows.Tests.Fixtures;
using Microsoft.Extensions.Logging;

namespace Flows.Tests.Logging;

public sealed class LoggingTests
{
    [Test]
    public async Task FlowLogger_LinesAreStoredWithTheirRun()
    {
        using var harness = new FlowTestHarness();

        await new Pipeline().Parent(2);

        var parent = harness.Runs.Single(r => r.Name == "pipeline-parent");
        var line = harness.Logs.Single(l => l.Message == "Summing 2 and 4");
        Assert.That(line.RunId, Is.EqualTo(parent.Id));
        Assert.That(line.FlowRunId, Is.EqualTo(parent.Id));
        Assert.That(line.Level, Is.EqualTo(LogLevel.Information));
        Assert.That(line.Category, Is.EqualTo("Flows.Flow.pipeline-parent"));
    }

    [Test]
    public async Task EveryLineInsideARun_CarriesTheRunPropertiesAsScope()
    {
        var sink = new ScopeCapturingProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(sink).SetMinimumLevel(LogLevel.Debug));
        using var engine = new FlowEngine(new FlowEngineOptions { LoggerFactory = loggerFactory });
        using var scope = engine.Use();

        await new Pipeline().Parent(1);

        var line = sink.Lines.Single(l => l.Message == "Summing 1 and 2");
        var parent = (await engine.Store.QueryRunsAsync(new Stores.RunQuery { Name = "pipeline-parent" })).Single();
        Assert.That(line.Scope["FlowRunId"], Is.EqualTo(parent.Id));
        Assert.That(line.Scope["FlowName"], Is.EqualTo("pipeline-parent"));
        Assert.That(line.Scope["Attempt"], Is.EqualTo(1));
        var taskLine = sink.Lines.First(l => l.Message.StartsWith("Task 'pipeline-sum' finished", StringComparison.Ordinal));
        Assert.That(taskLine.Scope["TaskName"], Is.EqualTo("pipeline-sum"));
        Assert.That(taskLine.Scope["TaskRunId"], Is.Not.Null);
    }

    private sealed class ScopeCapturingProvider : ILoggerProvider, ISupportExternalScope
    {
        private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

        public List<(string Message, Dictionary<string, object?> Scope)> Lines { get; } = [];

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public void Dispose()
        {
        }

        private sealed class Logger(ScopeCapturingProvider owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => owner._scopes.Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var scope = new Dictionary<string, object?>();
                owner._scopes.ForEachScope(
                    (s, d) =>
                    {
                        if (s is IEnumerable<KeyValuePair<string, object?>> pairs)
                        {
                            foreach (var (key, value) in pairs)
                            {
                                d[key] = value;
                            }
                        }
                    },
                    scope);
                lock (owner.Lines)
                {
                    owner.Lines.Add((formatter(state, exception), scope));
                }
            }
        }
    }
}

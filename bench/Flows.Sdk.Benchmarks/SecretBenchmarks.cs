using BenchmarkDotNet.Attributes;
using Flows;
using Flows.Secrets;
using Flows.Secrets.Masking;
using Microsoft.Extensions.Logging;

namespace Flows.Benchmarks;

/// <summary>
/// What masking costs the text every log line and record passes through, with no secrets known and with a few,
/// what a log line with structured properties costs once a secret is known, and what a task with a cached [Secret]
/// parameter costs next to one without.
/// </summary>
[MemoryDiagnoser]
public class SecretBenchmarks
{
    private const string Line = "Task 'download' finished in state Completed after 12.5 ms for state OH, batch 42 of 100";

    private static readonly Action<ILogger, int, Guid, string, Exception?> Primitives =
        LoggerMessage.Define<int, Guid, string>(LogLevel.Information, new EventId(1), "Batch {Batch} of run {RunId} for {State}");

    private static readonly string[] States = ["OH", "PA", "MI", "WI", "MN", "IA", "MO", "KY"];

    private readonly SecretMasker _empty = new();
    private readonly SecretMasker _five = new();
    private string _lineWithSecret = null!;
    private string _longLine = null!;
    private ILogger _logger = null!;
    private Guid _runId = Guid.NewGuid();
    private FlowEngine _engine = null!;
    private IDisposable _scope = null!;

    [GlobalSetup]
    public void Setup()
    {
        for (var i = 0; i < 5; i++)
        {
            _five.Add($"secret-value-{i}-{Guid.NewGuid():N}");
        }

        _lineWithSecret = Line + " key=" + _five.Redact("x") + "secret-value-0";
        _five.Add("secret-value-0");
        _longLine = string.Concat(Enumerable.Repeat(Line + " ", 50));
        _logger = new RedactingLogger(new EnabledDiscardingLogger(), _five);
        var options = new FlowEngineOptions();
        options.Secrets.Providers.Add(new InlineSecretProvider([new("bench-api-key", "bench-secret-value")]));
        _engine = new FlowEngine(options);
        _scope = _engine.Use();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _scope.Dispose();
        _engine.Dispose();
    }

    [Benchmark(Baseline = true)]
    public string Redact_NoSecretsKnown() => _empty.Redact(Line);

    [Benchmark]
    public string Redact_FiveKnown_LineWithout() => _five.Redact(Line);

    [Benchmark]
    public string Redact_FiveKnown_LineWithOne() => _five.Redact(_lineWithSecret);

    [Benchmark]
    public string Redact_FiveKnown_4KBWithout() => _five.Redact(_longLine);

    [Benchmark]
    public void Log_FiveKnown_PrimitiveProperties() => Primitives(_logger, 42, _runId, "OH", null);

    [Benchmark]
    public void Log_FiveKnown_ArrayProperty() => _logger.LogInformation("Loading {States}", (object)States);

    [Benchmark]
    public int TaskCall_WithoutSecret() => SecretCalls.Plain(21);

    [Benchmark]
    public int TaskCall_WithCachedSecret() => SecretCalls.WithKey(21);
}

/// <summary>A sink that takes every line and keeps nothing, so the masking in front of it is what is measured.</summary>
internal sealed class EnabledDiscardingLogger : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        GC.KeepAlive(state);
}

/// <summary>The tasks measured: the same body, one with a [Secret] parameter.</summary>
public static class SecretCalls
{
    [Task("bench-plain")]
    public static int Plain(int x) => x * 2;

    [Task("bench-with-key")]
    public static int WithKey(int x, [Secret("bench-api-key")] string apiKey = "") => (x * 2) + apiKey.Length;
}

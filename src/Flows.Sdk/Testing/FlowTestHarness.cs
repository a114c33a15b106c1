using System.Text.Json;
using Flows.Engine;
using Flows.Limits;
using Flows.Runs;
using Flows.Secrets;
using Flows.Stores;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Flows.Testing;

/// <summary>
/// Runs flows in a unit test: an engine of its own with an in-memory store, a fake clock on which retry delays
/// pass at once, captured logs, and queries over the runs it saw. While the harness is alive, every flow or task
/// called on the creating test's call path runs on it, so parallel tests never see each other's runs.
/// </summary>
/// <example>
/// <code>
/// using var harness = new FlowTestHarness();
/// harness.Services.AddSingleton(warehouse.Object);
/// await harness.Get&lt;VoterSync&gt;().Run(["OH"]);
/// Assert.That(harness.TaskRuns("download")[0].State, Is.EqualTo(RunState.Completed));
/// </code>
/// </example>
public sealed class FlowTestHarness : IAsyncDisposable, IDisposable
{
    private readonly Lazy<ServiceProvider> _provider;
    private readonly IDisposable _scope;

    /// <summary>Creates a harness with default settings and makes it current for the calling test.</summary>
    public FlowTestHarness()
        : this(null)
    {
    }

    /// <summary>Creates a harness and makes it current for the calling test.</summary>
    public FlowTestHarness(Action<FlowTestHarnessOptions>? configure)
    {
        var options = new FlowTestHarnessOptions();
        configure?.Invoke(options);

        Time = new FakeTimeProvider(options.StartTime);
        Store = new InMemoryRunStore();
        Services = new ServiceCollection();
        _provider = new Lazy<ServiceProvider>(() => Services.BuildServiceProvider());
        var random = new Random(20300101);
        var engineOptions = new FlowEngineOptions
        {
            Store = Store,
            TimeProvider = Time,
            RetryTimeProvider = new SkippingTimeProvider(Time),
            LoggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(options.LogLevel)),
            StoredLogLevel = options.LogLevel,
            Services = new DeferredServices(_provider),
            Configuration = options.Configuration,
            Random = options.Random ?? random.NextDouble,
            MeterFactory = options.MeterFactory,
        };
        engineOptions.Secrets.Providers.Add(new InlineSecretProvider(options.Secrets));
        engineOptions.Secrets.CacheDuration = options.SecretCacheDuration;
        foreach (var provider in options.SecretProviders)
        {
            engineOptions.Secrets.Providers.Add(provider);
        }

        engineOptions.Limits.CopyFrom(options.Limits);
        engineOptions.RateLimits.CopyFrom(options.RateLimits);
        Engine = new FlowEngine(engineOptions);
        _scope = Engine.Use();
    }

    /// <summary>The fake clock. Retry delays pass on their own; advance it to fire timeouts.</summary>
    public FakeTimeProvider Time { get; }

    /// <summary>The store every run of this harness is recorded in.</summary>
    public InMemoryRunStore Store { get; }

    /// <summary>Services for the classes under test (register mocks here before the first <see cref="Get{T}"/>).</summary>
    public IServiceCollection Services { get; }

    /// <summary>The harness's engine.</summary>
    public FlowEngine Engine { get; }

    /// <summary>Every flow run, subflows included, oldest first.</summary>
    public IReadOnlyList<RunRecord> Runs => [.. Store.AllRuns.Where(r => r.Kind == RunKind.Flow)];

    /// <summary>Every log line written inside a run, in order.</summary>
    public IReadOnlyList<RunLogEntry> Logs => Store.AllLogs;

    /// <summary>Creates (or resolves) a class from <see cref="Services"/>, with its constructor dependencies.</summary>
    public T Get<T>()
        where T : class => ActivatorUtilities.GetServiceOrCreateInstance<T>(_provider.Value);

    /// <summary>Task runs, oldest first; only those of one task when a name is given.</summary>
    public IReadOnlyList<RunRecord> TaskRuns(string? name = null) =>
        [.. Store.AllRuns.Where(r => r.Kind == RunKind.Task && (name is null || r.Name == name))];

    /// <summary>The runs a run started (its task runs and subflows), oldest first.</summary>
    public IReadOnlyList<RunRecord> ChildrenOf(RunRecord run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return [.. Store.AllRuns.Where(r => r.ParentRunId == run.Id)];
    }

    /// <summary>A run's state transitions in order.</summary>
    public IReadOnlyList<StateTransition> Transitions(RunRecord run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return Store.GetTransitionsAsync(run.Id).GetAwaiter().GetResult();
    }

    /// <summary>
    /// Runs a flow by name, as <see cref="FlowEngine.RunAsync(string, IReadOnlyDictionary{string, System.Text.Json.JsonElement}, CancellationToken)"/> does, with parameters from an object's properties or a
    /// dictionary, serialised to JSON first.
    /// </summary>
    public Task<RunRecord> RunAsync(string flowName, object? parameters = null, CancellationToken cancellationToken = default)
    {
        var values = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (parameters is not null)
        {
            var json = JsonSerializer.SerializeToElement(parameters, FlowJson.Options);
            foreach (var property in json.EnumerateObject())
            {
                values[property.Name] = property.Value.Clone();
            }
        }

        return Engine.RunAsync(flowName, values, cancellationToken);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _scope.Dispose();
        Engine.Dispose();
        Engine.LoggerFactory.Dispose();
        if (_provider.IsValueCreated)
        {
            _provider.Value.Dispose();
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return default;
    }

    /// <summary>Builds the service provider only when first needed, so tests can register services after creating the harness.</summary>
    private sealed class DeferredServices(Lazy<ServiceProvider> provider) : IServiceProvider
    {
        public object? GetService(Type serviceType) => provider.Value.GetService(serviceType);
    }
}

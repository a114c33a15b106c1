using System.Collections.Concurrent;
using System.Text.Json;
using Flows.Concurrency;
using Flows.Logging;
using Flows.Runtime;
using Flows.Secrets;
using Flows.Stores;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Flows;

/// <summary>
/// Runs flows and tasks and records them. Generated interceptors find the engine to use through
/// <see cref="Current"/>: the engine of the enclosing run, else one put in scope with <see cref="Use"/> (a test
/// harness or host), else <see cref="Default"/>, else a zero-configuration engine with an in-memory store.
/// </summary>
public sealed class FlowEngine : IAsyncDisposable, IDisposable
{
    private static readonly AsyncLocal<FlowEngine?> Scoped = new();
    private static readonly Lazy<FlowEngine> ZeroConfig = new(() => new FlowEngine());
    private static FlowEngine? _default;

    private readonly ConcurrentDictionary<RunDescriptor, DescriptorBinding> _bindings = new();
    private readonly CancellationTokenSource _shutdown = new();
    private readonly ILoggerFactory? _ownedLoggerFactory;
    private readonly bool _scopesWanted;
    private readonly ILogger _log;

    /// <summary>Creates an engine.</summary>
    public FlowEngine(FlowEngineOptions? options = null)
    {
        options ??= new FlowEngineOptions();
        Store = options.Store ?? new InMemoryRunStore();
        TimeProvider = options.TimeProvider;
        RetryTimeProvider = options.RetryTimeProvider ?? options.TimeProvider;
        Configuration = options.Configuration;
        StoredLogLevel = options.StoredLogLevel;
        Random = options.Random ?? System.Random.Shared.NextDouble;
        Services = options.Services ?? new ServiceCollection().BuildServiceProvider();
        var masker = options.Masker ?? new SecretMasker();
        Secrets = SecretResolver.Create(options.Secrets, Configuration, TimeProvider, masker, _shutdown.Token);
        Limits = new LimitRegistry(options, Configuration, TimeProvider, _shutdown.Token);

        // Scopes cost an allocation per attempt; they are only worth it when someone else reads the lines.
        _scopesWanted = options.LoggerFactory is not null;
        LoggerFactory = options.LoggerFactory is RedactingLoggerFactory redacting && redacting.Masker == masker
            ? redacting
            : new RedactingLoggerFactory(options.LoggerFactory ?? (_ownedLoggerFactory = new LoggerFactory()), masker);
        LoggerFactory.AddProvider(new RunLogProvider(this));
        _log = LoggerFactory.CreateLogger("Flows.Runtime");
    }

    /// <summary>The engine generated code uses on this logical call path.</summary>
    public static FlowEngine Current => RunContext.Current?.Engine ?? Scoped.Value ?? Volatile.Read(ref _default) ?? ZeroConfig.Value;

    /// <summary>The application's engine, used outside any scope. Hosts set it on start.</summary>
    public static FlowEngine? Default
    {
        get => Volatile.Read(ref _default);
        set => Volatile.Write(ref _default, value);
    }

    /// <summary>Where this engine records runs.</summary>
    public IRunStore Store { get; }

    /// <summary>This engine's clock.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>The logger factory lines inside runs are written to.</summary>
    public ILoggerFactory LoggerFactory { get; }

    /// <summary>Services used to create flow classes for runs by name.</summary>
    public IServiceProvider Services { get; }

    /// <summary>Resolves secrets through this engine's providers; every value it resolves is masked in what the engine records and logs.</summary>
    public SecretResolver Secrets { get; }

    internal TimeProvider RetryTimeProvider { get; }

    internal IConfiguration? Configuration { get; }

    internal LogLevel StoredLogLevel { get; }

    internal Func<double> Random { get; }

    /// <summary>Tag concurrency and rate limits, validated when the engine is created.</summary>
    internal LimitRegistry Limits { get; }

    /// <summary>Cancelled when the engine is disposed: every run in progress sees its token cancelled.</summary>
    internal CancellationToken ShutdownToken => _shutdown.Token;

    /// <summary>True once the engine is disposed; safe to read afterwards, unlike <see cref="ShutdownToken"/>.</summary>
    internal bool IsShutDown => _shutdown.IsCancellationRequested;

    /// <summary>Makes this engine <see cref="Current"/> on the calling logical call path until the result is disposed.</summary>
    public IDisposable Use()
    {
        var previous = Scoped.Value;
        Scoped.Value = this;
        return new ScopeRestorer(previous);
    }

    /// <summary>
    /// Runs a flow by name with parameters given as JSON values, as the command line, schedules and workers do.
    /// Returns the finished run's record whatever its state; throws <see cref="FlowParameterException"/> before
    /// anything is recorded when a parameter is missing, unknown or of the wrong type.
    /// </summary>
    public async Task<RunRecord> RunAsync(string flowName, IReadOnlyDictionary<string, JsonElement>? parameters = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(flowName);
        var descriptor = RunCatalog.FindFlow(flowName) ?? throw UnknownFlow(flowName);
        var binder = new ParameterBinder(descriptor, parameters ?? new Dictionary<string, JsonElement>(), Services, cancellationToken);
        binder.RejectUnknown();

        var runId = Guid.CreateVersion7(TimeProvider.GetUtcNow());
        using (Use())
        {
            try
            {
                await descriptor.RunByNameAsync(this, binder, runId, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not FlowParameterException)
            {
                // A run that started and failed is reported through its record; anything before that is an error.
                if (await Store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false) is null)
                {
                    throw new InvalidOperationException($"Flow '{flowName}' could not start: {ex.Message}", ex);
                }
            }
        }

        return await Store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Flow '{flowName}' ran but its run {runId} is not in the store.");
    }

    /// <summary>Cancels runs in progress and releases the engine's resources.</summary>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return default;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_shutdown.IsCancellationRequested)
        {
            return;
        }

        _shutdown.Cancel();
        _shutdown.Dispose();
        Secrets.DisposeOwnedProviders();
        _ownedLoggerFactory?.Dispose();
        if (ReferenceEquals(Default, this))
        {
            Default = null;
        }
    }

    internal DescriptorBinding Bind(RunDescriptor descriptor)
    {
        if (descriptor.EngineBinding is DescriptorBinding cached && ReferenceEquals(cached.Engine, this))
        {
            return cached;
        }

        var binding = _bindings.GetOrAdd(descriptor, static (d, engine) => new DescriptorBinding(engine, d), this);
        descriptor.EngineBinding = binding;
        return binding;
    }

    internal RunContext StartRun(RunDescriptor descriptor, RunContext? parent, CancellationToken callerToken, Guid? runId, out CancellationTokenSource? linked)
    {
        var binding = Bind(descriptor);
        var parentToken = parent?.Token ?? ShutdownToken;
        linked = null;
        var token = parentToken;
        if (callerToken.CanBeCanceled && callerToken != parentToken)
        {
            linked = CancellationTokenSource.CreateLinkedTokenSource(parentToken, callerToken);
            token = linked.Token;
        }

        var now = TimeProvider.GetUtcNow();
        return new RunContext(this, binding, parent, runId ?? Guid.CreateVersion7(now), token, now);
    }

    internal void RecordCreated(RunContext run)
    {
        Save(run.Snapshot(RunState.Pending));
        Transition(run, RunState.Pending, null);
        if (run.Descriptor.Kind == RunKind.Flow)
        {
            RuntimeLog.FlowRunStarted(_log, run.Binding.Label, run.Id);
        }
        else
        {
            RuntimeLog.TaskRunStarted(_log, run.Binding.Label, run.Id);
        }
    }

    internal void RecordAttempt(RunContext run)
    {
        run.Attempt++;
        if (run.Attempt == 1)
        {
            run.StartedAt = TimeProvider.GetUtcNow();
            Save(run.Snapshot(RunState.Running));
        }

        Transition(run, RunState.Running, null);
    }

    /// <summary>The run waits for a slot or permit before its next attempt; the Running transition that follows ends the wait.</summary>
    internal void RecordWaiting(RunContext run, string message) => Transition(run, RunState.Pending, message);

    internal void RecordRetry(RunContext run, TimeSpan delay, Exception? error)
    {
        var message = Describe(error);
        Save(run.Snapshot(RunState.Retrying, error: message));
        Transition(run, RunState.Retrying, $"{message} Retrying in {delay.TotalSeconds:0.###} s.");
        RuntimeLog.AttemptFailed(run.Binding.Logger, run.Binding.Label, run.Attempt, message, delay.TotalSeconds);
    }

    internal RunRecord RecordCompleted(RunContext run, string? result)
    {
        var record = Finish(run, RunState.Completed, result is null ? null : Redact(result), null);
        return record;
    }

    internal RunRecord RecordFailed(RunContext run, Exception error)
    {
        var state = RunOutcome.StateOf(run, error);
        var message = Describe(error);
        var record = Finish(run, state, null, message);
        if (state is not RunState.Cancelled)
        {
            RuntimeLog.RunFailed(run.Binding.Logger, run.Binding.Label, state, run.Attempt, message, error);
        }

        return record;
    }

    internal void RecordHookFailure(RunContext run, string hook, Exception error) =>
        RuntimeLog.HookFailed(_log, run.Binding.Label, hook, error);

    internal void RecordLog(RunLogEntry entry) => Complete(Store.AddLogsAsync([entry]));

    /// <summary>
    /// The one place text bound for the store or a log sink passes before it is kept: log messages, exception
    /// text, errors, results and artifacts. Every secret value the engine resolved becomes <c>***</c>; with none
    /// resolved the text is returned as it is.
    /// </summary>
    internal string Redact(string text) => Secrets.Masker.Redact(text);

    /// <summary>Puts the run's properties on every log line written during the run, when anyone reads them.</summary>
    internal IDisposable? BeginLogScope(RunContext run) => _scopesWanted ? _log.BeginScope(new RunScope(run)) : null;

    private RunRecord Finish(RunContext run, RunState state, string? result, string? error)
    {
        var record = run.Snapshot(state, TimeProvider.GetUtcNow(), result, error);
        Save(record);
        Transition(run, state, error);
        var durationMs = record.Duration?.TotalMilliseconds ?? 0;
        if (run.Descriptor.Kind == RunKind.Flow)
        {
            RuntimeLog.FlowRunFinished(_log, run.Binding.Label, state, durationMs);
        }
        else
        {
            RuntimeLog.TaskRunFinished(_log, run.Binding.Label, state, durationMs);
        }

        return record;
    }

    private void Save(RunRecord record) => Complete(Store.SaveRunAsync(record));

    private void Transition(RunContext run, RunState state, string? message) =>
        Complete(Store.AddTransitionsAsync([new StateTransition(run.Id, state, TimeProvider.GetUtcNow(), run.Attempt, message)]));

    /// <summary>
    /// Store writes are awaited here only when a store cannot finish them at once; the in-memory store always
    /// can. Durable stores batch writes off the hot path behind this same call.
    /// </summary>
    private static void Complete(ValueTask write)
    {
        if (!write.IsCompletedSuccessfully)
        {
            write.AsTask().GetAwaiter().GetResult();
        }
    }

    private string Describe(Exception? error) =>
        error is null ? "no exception" : Redact($"{error.GetType().Name}: {error.Message}");

    private static ArgumentException UnknownFlow(string name)
    {
        var known = string.Join(", ", RunCatalog.Flows.Select(f => f.Name));
        return new ArgumentException(
            $"No flow is named '{name}'. Known flows: {(known.Length == 0 ? "(none; is the assembly that declares it loaded?)" : known)}.",
            nameof(name));
    }

    private sealed class ScopeRestorer(FlowEngine? previous) : IDisposable
    {
        public void Dispose() => Scoped.Value = previous;
    }
}

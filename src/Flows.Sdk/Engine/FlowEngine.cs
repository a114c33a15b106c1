using System.Collections.Concurrent;
using System.Text.Json;
using Flows.Caching;
using Flows.Concurrency;
using Flows.Logging;
using Flows.Runtime;
using Flows.Secrets;
using Flows.Stores;
using Flows.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Flows;

/// <summary>
/// Runs flows and tasks and records them. Generated interceptors find the engine to use through
/// <see cref="Current"/>: the engine of the enclosing run, else one put in scope with <see cref="Use"/> (a test
/// harness or host), else <see cref="Default"/>, else a zero-configuration engine that records to the embedded
/// SQLite store (<c>$FLOWS_HOME/flows.db</c>, by default <c>~/.flows/flows.db</c>).
/// </summary>
public sealed class FlowEngine : IAsyncDisposable, IDisposable
{
    private static readonly AsyncLocal<FlowEngine?> Scoped = new();
    private static readonly Lazy<FlowEngine> ZeroConfig = new(CreateZeroConfig);
    private static FlowEngine? _default;

    private readonly ConcurrentDictionary<RunDescriptor, DescriptorBinding> _bindings = new();
    private readonly CancellationTokenSource _shutdown = new();
    private readonly ILoggerFactory? _ownedLoggerFactory;
    private readonly bool _scopesWanted;
    private readonly bool _taskLinesWanted;
    private readonly ILogger _log;
    private readonly RunRecorder _recorder;
    private readonly bool _ownsStore;
    private int _disposed;
    private string? _interruptedBy;

    /// <summary>Creates an engine.</summary>
    public FlowEngine(FlowEngineOptions? options = null)
    {
        options ??= new FlowEngineOptions();
        _ownsStore = options.OwnsStore;
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

        // Task runs' own start and end lines are Debug: stored only when StoredLogLevel admits them, seen only by a
        // logger factory given; otherwise they are not even formatted.
        _taskLinesWanted = options.LoggerFactory is not null || options.StoredLogLevel <= LogLevel.Debug;
        LoggerFactory = options.LoggerFactory is RedactingLoggerFactory redacting && redacting.Masker == masker
            ? redacting
            : new RedactingLoggerFactory(options.LoggerFactory ?? (_ownedLoggerFactory = new LoggerFactory()), masker);
        LoggerFactory.AddProvider(new RunLogProvider(this));
        _log = LoggerFactory.CreateLogger("Flows.Runtime");
        Telemetry = RunTelemetry.For(options.MeterFactory);
        _recorder = new RunRecorder(Store, _log, RetryTimeProvider, options.RecorderBacklogLimit, RunRecorder.OutageTolerance(options), Telemetry);
        Cache = new TaskCache(this, _recorder);
        LiveRuns = options.TracksLiveRuns ? new LiveRuns() : null;
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

    internal TaskCache Cache { get; }

    /// <summary>Spans and metrics of this engine's runs.</summary>
    internal RunTelemetry Telemetry { get; }

    /// <summary>Cancelled when the engine is disposed: every run in progress sees its token cancelled.</summary>
    internal CancellationToken ShutdownToken => _shutdown.Token;

    /// <summary>True once the engine is disposed or interrupted; safe to read afterwards, unlike <see cref="ShutdownToken"/>.</summary>
    internal bool IsShutDown => _shutdown.IsCancellationRequested;

    /// <summary>The signal that interrupted the engine (<see cref="Interrupt"/>), or null.</summary>
    internal string? InterruptedBy => Volatile.Read(ref _interruptedBy);

    /// <summary>The runs in progress, for engines that wait for them when the process is told to stop (the zero-configuration engine).</summary>
    internal LiveRuns? LiveRuns { get; }

    /// <summary>Makes this engine <see cref="Current"/> on the calling logical call path until the result is disposed.</summary>
    public IDisposable Use()
    {
        var previous = Scoped.Value;
        Scoped.Value = this;
        return new ScopeRestorer(previous);
    }

    /// <summary>
    /// Runs a flow by name with parameters given as JSON values (what a future command line or scheduler would call).
    /// Returns the finished run's record whatever its state; throws <see cref="FlowParameterException"/> before
    /// anything is recorded when a parameter is missing, unknown or of the wrong type.
    /// </summary>
    public async Task<RunRecord> RunAsync(string flowName, IReadOnlyDictionary<string, JsonElement>? parameters = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(flowName);
        var descriptor = RunCatalog.FindFlow(flowName) ?? throw UnknownFlow(flowName);
        var binder = new ParameterBinder(descriptor, parameters ?? new Dictionary<string, JsonElement>(), Services, Secrets.Masker, cancellationToken);
        binder.RejectUnknown();

        var runId = RunIds.Next(TimeProvider.GetUtcNow());
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

    /// <summary>
    /// Waits until everything recorded so far (task runs, states, logs, artifacts, cached results) is in the store.
    /// Flow runs do this themselves when they start and end; call it after standalone task runs that must be kept.
    /// While the store cannot be reached it waits, for up to <see cref="FlowEngineOptions.StoreOutageTolerance"/> of
    /// outage; then it throws <see cref="RunStoreException"/> (what was recorded is kept and written once the store is back).
    /// </summary>
    public Task FlushAsync(CancellationToken cancellationToken = default) => _recorder.FlushAsync(null, cancellationToken).AsTask();

    /// <summary>Cancels runs in progress, writes what they recorded to the store and releases the engine's resources.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!BeginShutdown())
        {
            return;
        }

        await _recorder.DisposeAsync().ConfigureAwait(false);
        if (_ownsStore && Store is IAsyncDisposable store)
        {
            await store.DisposeAsync().ConfigureAwait(false);
        }

        EndShutdown();
    }

    /// <inheritdoc />
    /// <remarks>Blocks until what runs recorded is in the store; prefer <see cref="DisposeAsync"/>.</remarks>
    public void Dispose()
    {
        if (!BeginShutdown())
        {
            return;
        }

        _recorder.DisposeAsync().AsTask().GetAwaiter().GetResult();
        if (_ownsStore && Store is IDisposable store)
        {
            store.Dispose();
        }

        EndShutdown();
    }

    /// <summary>
    /// The process was told to stop (Ctrl+C, SIGTERM): cancels every run in progress, as disposing does, but they end
    /// Cancelled rather than Crashed, since a person or a service manager decided it, and their errors name the signal.
    /// The engine keeps recording; dispose it to stop.
    /// </summary>
    internal void Interrupt(string signal)
    {
        Volatile.Write(ref _interruptedBy, signal);
        try
        {
            _shutdown.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already disposed: its runs were cancelled then.
        }
    }

    private bool BeginShutdown()
    {
        // A flag, not the token: an interrupted engine's token is cancelled already, and it must still be disposed.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return false;
        }

        _shutdown.Cancel();
        return true;
    }

    private void EndShutdown()
    {
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
        return new RunContext(binding, parent, runId ?? RunIds.Next(now), token, now);
    }

    /// <summary>
    /// Records a new run; for a flow run, completes once its start is in the store (write-through); for a task run,
    /// at once unless the store has fallen far behind (see <see cref="RunRecorder.WaitForRoomAsync"/>).
    /// </summary>
    internal ValueTask RecordCreated(RunContext run)
    {
        run.RecordPending();
        _recorder.Created(run);
        if (run.Descriptor.Kind == RunKind.Flow)
        {
            RuntimeLog.FlowRunStarted(_log, run.Binding.Label, run.Id);
        }
        else if (_taskLinesWanted)
        {
            RuntimeLog.TaskRunStarted(_log, run.Binding.Label, run.Id);
        }

        return run.Descriptor.Kind == RunKind.Flow ? _recorder.FlushAsync(run.Id) : _recorder.WaitForRoomAsync();
    }

    internal void RecordAttempt(RunContext run)
    {
        run.RecordAttempt(TimeProvider.GetUtcNow());
        _recorder.Changed(run);
    }

    /// <summary>The run waits for a slot or permit before its next attempt; the Running transition that follows ends the wait.</summary>
    internal void RecordWaiting(RunContext run, string message)
    {
        run.RecordTransition(RunState.Pending, TimeProvider.GetUtcNow(), message);
        _recorder.Changed(run);
        RunTelemetry.Waiting(run, message);
    }

    internal void RecordRetry(RunContext run, TimeSpan delay, Exception? error)
    {
        var message = Describe(error);
        run.RecordTransition(RunState.Retrying, TimeProvider.GetUtcNow(), $"{message} Retrying in {delay.TotalSeconds:0.###} s.", message);
        _recorder.Changed(run);
        Telemetry.Retried(run, delay, message);
        RuntimeLog.AttemptFailed(run.Binding.Logger, run.Binding.Label, run.Attempt, message, delay.TotalSeconds);
    }

    /// <summary>Records a completed run (and keeps its result when its task caches); a flow run's end is written through.</summary>
    internal ValueTask RecordCompleted(RunContext run, string? result)
    {
        // The run record shows the result masked; the cache keeps it only when it shows no secret, since it must read back as the value.
        var masked = result is null ? null : Redact(result);
        var endedAt = Finish(run, RunState.Completed, masked, null);
        Cache.Keep(run, result, masked, endedAt);
        return WrittenThrough(run);
    }

    /// <summary>Records a task run that took its result from the cache instead of running; the result is masked like any other.</summary>
    internal ValueTask RecordCached(RunContext run, CacheEntry entry)
    {
        Finish(run, RunState.Cached, Redact(entry.Result), null, $"Result of run {entry.RunId}, cached at {entry.CreatedAt:O}.", startsNow: true);
        return WrittenThrough(run);
    }

    /// <summary>Records a failed, timed-out or cancelled run; a flow run's end is written through.</summary>
    internal ValueTask RecordFailed(RunContext run, Exception error)
    {
        var state = RunOutcome.StateOf(run, error);
        var message = RunOutcome.InterruptionOf(run, error) is { } signal ? $"Interrupted by {signal}: {Describe(error)}" : Describe(error);
        Finish(run, state, null, message);
        if (state is not RunState.Cancelled)
        {
            RuntimeLog.RunFailed(run.Binding.Logger, run.Binding.Label, state, run.Attempt, message, error);
        }

        return WrittenThrough(run);
    }

    /// <summary>
    /// Records a run still in progress when the process must exit after a signal (its code ignored the cancellation):
    /// it ends Cancelled with <paramref name="message"/> saying so. A run that ended meanwhile is left as it ended.
    /// </summary>
    internal void RecordAbandoned(RunContext run, string message)
    {
        if (run.EndedAt is null)
        {
            Finish(run, RunState.Cancelled, null, message);
        }
    }

    internal void RecordHookFailure(RunContext run, string hook, Exception error) =>
        RuntimeLog.HookFailed(_log, run.Binding.Label, hook, error);

    internal void RecordLog(RunLogEntry entry) => _recorder.Log(entry);

    /// <summary>Attaches an artifact to a run; its text passes <see cref="Redact"/> first.</summary>
    internal RunArtifact RecordArtifact(RunContext run, ArtifactKind kind, string key, string content, string? description)
    {
        var now = TimeProvider.GetUtcNow();
        var artifact = new RunArtifact(
            RunIds.Next(now), run.Id, run.FlowRunId, key, kind, Redact(content), description is null ? null : Redact(description), now);
        _recorder.Artifact(artifact);
        return artifact;
    }

    /// <summary>
    /// The one place text bound for the store or a log sink passes before it is kept: log messages, exception
    /// text, errors, results and artifacts. Every secret value the engine resolved becomes <c>***</c>; with none
    /// resolved the text is returned as it is.
    /// </summary>
    internal string Redact(string text) => Secrets.Masker.Redact(text);

    /// <summary>Puts the run's properties on every log line written during the run, when anyone reads them.</summary>
    internal IDisposable? BeginLogScope(RunContext run) => _scopesWanted ? _log.BeginScope(new RunScope(run)) : null;

    /// <summary>Records the run's final state and returns when it was reached.</summary>
    private DateTimeOffset Finish(RunContext run, RunState state, string? result, string? error, string? message = null, bool startsNow = false)
    {
        var now = TimeProvider.GetUtcNow();
        run.RecordFinal(state, now, result, error, message, startsNow);
        _recorder.Changed(run);
        Telemetry.Ended(run, state, error ?? message);
        if (run.Descriptor.Kind == RunKind.Flow)
        {
            RuntimeLog.FlowRunFinished(_log, run.Binding.Label, state, DurationMs(run));
        }
        else if (_taskLinesWanted)
        {
            RuntimeLog.TaskRunFinished(_log, run.Binding.Label, state, DurationMs(run));
        }

        return now;

        static double DurationMs(RunContext run) => run.StartedAt is { } s && run.EndedAt is { } e ? (e - s).TotalMilliseconds : 0;
    }

    /// <summary>
    /// Task runs' writes stay in the recorder's queue; a flow run's start and end are written through, so a crash
    /// leaves evidence of every flow that started and the end of every flow that finished.
    /// </summary>
    private ValueTask WrittenThrough(RunContext run) =>
        run.Descriptor.Kind == RunKind.Flow ? _recorder.FlushAsync(run.Id) : default;

    /// <summary>
    /// The engine scripts get without any setup: configured as a host would be (<see cref="ScriptConfiguration"/>:
    /// appsettings files in the current directory, then environment variables), recording to the store configuration
    /// names (SQLite at <c>$FLOWS_HOME/flows.db</c> by default); Ctrl+C and SIGTERM end its runs Cancelled and save
    /// what they recorded (<see cref="ScriptLifetime"/>), and a normal exit writes everything out too.
    /// </summary>
    private static FlowEngine CreateZeroConfig()
    {
        var configuration = ScriptConfiguration.Build();
        var timeout = ScriptLifetime.Timeout(configuration);
        var engine = new FlowEngine(ScriptConfiguration.EngineOptions(configuration));
        ScriptLifetime.Attach(engine, timeout);
        return engine;
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

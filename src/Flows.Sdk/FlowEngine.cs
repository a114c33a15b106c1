using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Flows.Caching;
using Flows.CompilerServices;
using Flows.Engine;
using Flows.Limits;
using Flows.Recording;
using Flows.Runs;
using Flows.Secrets;
using Flows.Secrets.Masking;
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
/// <remarks>
/// The engine composes parts, each in a file of its own: which engine is current (<see cref="EngineScope"/>, with
/// <see cref="ZeroConfigEngine"/>), running a flow by name (<see cref="RunByName"/>), its stop
/// (<see cref="EngineShutdown"/>), logging (<see cref="EngineLogging"/>), secrets (<see cref="SecretResolver"/>),
/// limits (<see cref="LimitRegistry"/>), the result cache (<see cref="TaskCache"/>), and every state change of a run
/// with its recording (<see cref="RunLifecycle"/>, writing through <see cref="RunRecorder"/>).
/// </remarks>
public sealed class FlowEngine : IAsyncDisposable, IDisposable
{
    private readonly ConcurrentDictionary<RunDescriptor, DescriptorBinding> _bindings = new();
    private readonly EngineShutdown _shutdown = new();
    private readonly RunRecorder _recorder;
    private readonly bool _ownsStore;

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
        Logging = new EngineLogging(this, options.LoggerFactory, options.StoredLogLevel, masker);
        Telemetry = RunTelemetry.For(options.MeterFactory);
        Cache = new TaskCache(Store, TimeProvider);
        _recorder = new RunRecorder(
            Store, Logging.Runtime, RetryTimeProvider, options.RecorderBacklogLimit, RunRecorder.OutageTolerance(options), Telemetry, Cache.Written);
        Lifecycle = new RunLifecycle(_recorder, Cache, TimeProvider, masker, Telemetry, Logging.Runtime, Logging.TaskLinesWanted);
        LiveRuns = options.TracksLiveRuns ? new LiveRuns() : null;
        CancelRequests = new CancelRequests(Store, TimeProvider, Logging.Runtime, Redact);
    }

    /// <summary>The engine generated code uses on this logical call path.</summary>
    public static FlowEngine Current => EngineScope.Current;

    /// <summary>The application's engine, used outside any scope. Hosts set it on start.</summary>
    public static FlowEngine? Default
    {
        get => EngineScope.Default;
        set => EngineScope.Default = value;
    }

    /// <summary>Where this engine records runs.</summary>
    public IRunStore Store { get; }

    /// <summary>This engine's clock.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>The logger factory lines inside runs are written to.</summary>
    public ILoggerFactory LoggerFactory => Logging.Factory;

    /// <summary>Services used to create flow classes for runs by name.</summary>
    public IServiceProvider Services { get; }

    /// <summary>Resolves secrets through this engine's providers; every value it resolves is masked in what the engine records and logs.</summary>
    public SecretResolver Secrets { get; }

    internal TimeProvider RetryTimeProvider { get; }

    /// <summary>
    /// The configuration the engine was built from (a host's, or the zero-configuration engine's appsettings.json and
    /// environment variables), or null. Integration packages read their non-secret settings here; secrets go
    /// through <see cref="Secrets"/>.
    /// </summary>
    public IConfiguration? Configuration { get; }

    internal LogLevel StoredLogLevel { get; }

    internal Func<double> Random { get; }

    /// <summary>Tag concurrency and rate limits, validated when the engine is created.</summary>
    internal LimitRegistry Limits { get; }

    internal TaskCache Cache { get; }

    /// <summary>The logger factory, the runtime's logger and the run log scopes.</summary>
    internal EngineLogging Logging { get; }

    /// <summary>Every state change of a run and its recording.</summary>
    internal RunLifecycle Lifecycle { get; }

    /// <summary>Spans and metrics of this engine's runs.</summary>
    internal RunTelemetry Telemetry { get; }

    /// <summary>Cancelled when the engine is disposed: every run in progress sees its token cancelled.</summary>
    internal CancellationToken ShutdownToken => _shutdown.Token;

    /// <summary>True once the engine is disposed or interrupted; safe to read afterwards, unlike <see cref="ShutdownToken"/>.</summary>
    internal bool IsShutDown => _shutdown.IsShutDown;

    /// <summary>The signal that interrupted the engine (<see cref="Interrupt"/>), or null.</summary>
    internal string? InterruptedBy => _shutdown.InterruptedBy;

    /// <summary>The runs in progress, for engines that wait for them when the process is told to stop (the zero-configuration engine).</summary>
    internal LiveRuns? LiveRuns { get; }

    /// <summary>Cancel requests made through the store for this engine's flow runs in progress.</summary>
    internal CancelRequests CancelRequests { get; }

    /// <summary>Makes this engine <see cref="Current"/> on the calling logical call path until the result is disposed.</summary>
    public IDisposable Use() => EngineScope.Use(this);

    /// <summary>
    /// Runs a flow by name with parameters given as JSON values (what a future command line or scheduler would call).
    /// Returns the finished run's record whatever its state; throws <see cref="FlowParameterException"/> before
    /// anything is recorded when a parameter is missing, unknown or of the wrong type.
    /// </summary>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ by a required RunStart, so no call is ambiguous; every async API takes its token last and optional.")]
    public Task<RunRecord> RunAsync(string flowName, IReadOnlyDictionary<string, JsonElement>? parameters = null, CancellationToken cancellationToken = default) =>
        RunByName.RunAsync(this, flowName, parameters, null, cancellationToken);

    /// <summary>
    /// Runs a flow by name as the run <paramref name="start"/> describes (what a scheduler calls for a slot of a
    /// deployment). When the store holds a run with <see cref="RunStart.RunId"/> in state Scheduled or Late, that run
    /// is continued: it keeps its id, creation time, deployment, slot and earlier transitions, and records Pending and
    /// Running as any run does; when it holds none, the run is created Scheduled first. A run past
    /// <see cref="RunStart.ScheduledFor"/> plus <see cref="RunStart.LateAfter"/> is recorded Late before Pending.
    /// Returns the finished run's record whatever its state; cancelling <paramref name="cancellationToken"/> ends the
    /// run Cancelled.
    /// </summary>
    /// <exception cref="ArgumentException">No flow has that name (the message lists the known ones).</exception>
    /// <exception cref="FlowParameterException">A parameter is missing, unknown, secret or of the wrong type; nothing is recorded.</exception>
    /// <exception cref="InvalidOperationException">
    /// The run with that id is in another state (it started already: it is not run again), or is a run of another flow.
    /// Starting is a claim through <see cref="IRunStore.TryStartRunAsync"/>: of processes or calls racing to start one
    /// run, exactly one runs it and the others get a <see cref="RunAlreadyStartedException"/>, having run nothing.
    /// </exception>
    /// <exception cref="FlowRunRejectedException">
    /// The flow's overlap policy skipped the run before it started; the run is recorded Cancelled with the reason.
    /// </exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ by a required RunStart, so no call is ambiguous; every async API takes its token last and optional.")]
    public Task<RunRecord> RunAsync(string flowName, IReadOnlyDictionary<string, JsonElement>? parameters, RunStart start, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(start);
        return RunByName.RunAsync(this, flowName, parameters, start, cancellationToken);
    }

    /// <summary>
    /// Creates a run of a flow in state Scheduled, to be started later with <see cref="RunAsync(string, IReadOnlyDictionary{string, JsonElement}, RunStart, CancellationToken)"/>
    /// and the same <see cref="RunStart.RunId"/>: its name, parameters (checked, and recorded as a run of the flow
    /// records them, [Secret] parameters never), deployment, slot and tags, created now. Atomic through
    /// <see cref="IRunStore.TryCreateRunAsync"/>: returns the created record, or null when a run with that id exists
    /// already (a duplicate fire of the same slot).
    /// </summary>
    /// <exception cref="ArgumentException">No flow has that name (the message lists the known ones).</exception>
    /// <exception cref="FlowParameterException">A parameter is missing, unknown, secret or of the wrong type; nothing is recorded.</exception>
    public Task<RunRecord?> TryScheduleRunAsync(string flowName, IReadOnlyDictionary<string, JsonElement>? parameters, RunStart start, CancellationToken cancellationToken = default) =>
        RunByName.TryScheduleAsync(this, flowName, parameters, start, cancellationToken);

    /// <summary>
    /// Makes the next attempt of a flow run that is <see cref="RunState.Crashed"/> (its process died under it), under the
    /// same run id, on this engine, when the flow's retry policy allows one more attempt (<c>[Flow(Retries = n)]</c>: a
    /// crash ends an attempt as a failure does, so with the default of no retries a crashed run stays Crashed). The run
    /// is claimed by a compare-and-set on its state and attempt (<see cref="IRunStore.TryClaimCrashedRunAsync"/>), so of
    /// several callers one runs it; it is recorded Pending with a transition saying it is a retry after a crash, waits
    /// the flow's retry delay counted from the crash, and runs with the parameters its record keeps ([Secret] ones
    /// resolved again). Task runs its crashed attempt completed stay recorded, and cached tasks take their cached results.
    /// Returns the run's final record, or null when it is not retried (no attempt left, not Crashed, not a flow of this
    /// process, or another caller claimed it).
    /// </summary>
    /// <exception cref="FlowParameterException">The recorded parameters no longer bind to the flow; the run stays Crashed.</exception>
    /// <exception cref="InvalidOperationException">The flow could not start (see <see cref="RunAsync(string, IReadOnlyDictionary{string, JsonElement}, RunStart, CancellationToken)"/>).</exception>
    public Task<RunRecord?> TryRetryCrashedRunAsync(Guid runId, CancellationToken cancellationToken = default) =>
        RunByName.TryRetryCrashedAsync(this, runId, cancellationToken);

    /// <summary>
    /// Cancels a run that has not started (<see cref="RunState.Scheduled"/> or <see cref="RunState.Late"/>) by a
    /// compare-and-set in the store (<see cref="IRunStore.TryCancelScheduledRunAsync"/>): it ends Cancelled, with a
    /// transition whose message carries <paramref name="reason"/> (secret values this engine knows masked), and a later
    /// attempt to start it finds it taken. Returns true when this call cancelled it; false when it had started, had
    /// ended, or does not exist.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="reason"/> is empty.</exception>
    public Task<bool> TryCancelScheduledRunAsync(Guid runId, string reason, CancellationToken cancellationToken = default) =>
        RunByName.TryCancelScheduledAsync(this, runId, reason, cancellationToken);

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
        if (!_shutdown.TryBegin())
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
        if (!_shutdown.TryBegin())
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
    internal void Interrupt(string signal) => _shutdown.Interrupt(signal);

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

    internal RunContext StartRun(DescriptorBinding binding, RunContext? parent, CancellationToken callerToken, RunOrigin? origin, out CancellationTokenSource? linked)
    {
        var parentToken = parent?.Token ?? ShutdownToken;
        linked = null;
        var token = parentToken;
        if (callerToken.CanBeCanceled && callerToken != parentToken)
        {
            linked = CancellationTokenSource.CreateLinkedTokenSource(parentToken, callerToken);
            token = linked.Token;
        }

        var now = TimeProvider.GetUtcNow();
        if (binding.Descriptor.Kind == RunKind.Flow)
        {
            // A flow run can be cancelled by a request made through the store (flows cancel, from any process): its
            // own source, linked to its parent's and its caller's tokens, replaces the linked one.
            linked?.Dispose();
            var source = CancelRequests.Create(parentToken, callerToken);
            linked = source;
            var flowRun = new RunContext(binding, parent, origin, source.Token, now);
            CancelRequests.Watch(flowRun.Id, source);
            return flowRun;
        }

        return new RunContext(binding, parent, origin, token, now);
    }

    /// <summary>
    /// The one place text bound for the store or a log sink passes before it is kept: log messages, exception
    /// text, errors, results and artifacts. Every secret value the engine resolved becomes <c>***</c>; with none
    /// resolved the text is returned as it is.
    /// </summary>
    internal string Redact(string text) => Secrets.Masker.Redact(text);

    private void EndShutdown()
    {
        CancelRequests.Dispose();
        _shutdown.Dispose();
        Secrets.DisposeOwnedProviders();
        Logging.Dispose();
        EngineScope.Forget(this);
    }
}

using System.Text.Json;
using Flows.CompilerServices;
using Flows.Orchestration.Logging;
using Flows.Orchestration.Queueing;
using Flows.Runs;
using Microsoft.Extensions.Logging;

namespace Flows.Orchestration;

/// <summary>
/// Cancels and retries flow runs wherever they are, the one way every front end does it (the command line's
/// <c>flows cancel</c> and <c>flows retry</c>, the dashboard's buttons). Registered by
/// <see cref="Microsoft.Extensions.DependencyInjection.OrchestrationServiceCollectionExtensions.AddOrchestration"/>;
/// without orchestration, make one over the engine: <c>new RunControl(engine)</c>.
/// </summary>
public sealed class RunControl
{
    private readonly FlowEngine _engine;
    private readonly IFlowClient? _client;
    private readonly ILogger _logger;

    /// <summary>Runs controlled through <paramref name="engine"/>'s store, and through <paramref name="client"/> for runs orchestration started (and to queue retries) when given.</summary>
    public RunControl(FlowEngine engine, IFlowClient? client = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        _engine = engine;
        _client = client;
        _logger = engine.LoggerFactory.CreateLogger(OrchestrationLog.Category);
    }

    /// <summary>
    /// Cancels a flow run: one not started yet (Scheduled, Late) ends Cancelled at once; one in progress is asked to
    /// stop through the store (the process running it, this one or another, cancels its token within about a second)
    /// and, for a run orchestration started (a deployment's slot, a queued run), through the job store too. A run that
    /// has ended is left as it is (<see cref="RunCancelOutcome.AlreadyEnded"/>).
    /// </summary>
    /// <param name="runId">The flow run.</param>
    /// <param name="reason">Why: recorded in the run's error and its Cancelled transition.</param>
    /// <param name="cancellationToken">Cancels the request, not the run.</param>
    /// <exception cref="ArgumentException"><paramref name="reason"/> is empty.</exception>
    /// <exception cref="RunControlException">No such run, a task run, or a store that cannot keep cancel requests for a run orchestration did not start.</exception>
    public async Task<RunCancellation> CancelAsync(Guid runId, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        var run = await GetFlowRunAsync(runId, "cancel the flow run it belongs to", cancellationToken).ConfigureAwait(false);
        var outcome = run.State.IsFinal() ? RunCancelOutcome.AlreadyEnded : await CancelInProgressAsync(run, reason.Trim(), cancellationToken).ConfigureAwait(false);
        var after = await _engine.Store.GetRunAsync(run.Id, cancellationToken).ConfigureAwait(false) ?? run;
        return new RunCancellation(outcome, run, after);
    }

    /// <summary>
    /// A new run of an ended flow run, ready to start: the flow's recorded parameters but its [Secret] ones (recorded
    /// masked; the new run resolves them again), <paramref name="changes"/> over them, checked against the flow; a new
    /// id, the original's deployment and tags.
    /// </summary>
    /// <exception cref="RunControlException">No such run, a task run, a run not ended, a flow this code does not declare, or a parameter recorded with a secret masked inside it (give it in <paramref name="changes"/>).</exception>
    /// <exception cref="FlowParameterException">The parameters no longer bind to the flow.</exception>
    public async Task<RunRetry> PrepareRetryAsync(Guid runId, IReadOnlyDictionary<string, JsonElement>? changes = null, CancellationToken cancellationToken = default)
    {
        changes ??= new Dictionary<string, JsonElement>();
        var run = await GetFlowRunAsync(runId, "retry its flow run", cancellationToken).ConfigureAwait(false);
        if (!run.State.IsFinal())
        {
            throw new RunControlException(RunControlRefusal.NotEnded, run.Id, $"Run {run.Id} of {run.Name} is {run.State}: it has not ended. Wait for it, or cancel it first.");
        }

        var flow = RunCatalog.FindFlow(run.Name)
            ?? throw new RunControlException(RunControlRefusal.FlowNotLoaded, run.Id, $"Run {run.Id} is of flow '{run.Name}', which this application's code does not declare (renamed or removed?).");
        var parameters = Recorded(flow, run, changes);
        foreach (var (name, value) in changes)
        {
            parameters[name] = value;
        }

        FlowCatalog.CheckParameters(flow.Name, parameters);
        var start = new RunStart { RunId = Guid.CreateVersion7(_engine.TimeProvider.GetUtcNow()), Deployment = run.Deployment, Tags = run.Tags };
        return new RunRetry(run, flow.Name, parameters, start);
    }

    /// <summary>
    /// Retries an ended flow run (<see cref="PrepareRetryAsync"/>) without waiting for it: queued on the cluster (in
    /// the original's queue) when orchestration is registered, else started in this process's engine. The new run is
    /// recorded (Scheduled) before this returns its id.
    /// </summary>
    /// <exception cref="RunControlException">See <see cref="PrepareRetryAsync"/>.</exception>
    /// <exception cref="FlowParameterException">The recorded parameters no longer bind to the flow.</exception>
    public async Task<Guid> RetryAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        var retry = await PrepareRetryAsync(runId, changes: null, cancellationToken).ConfigureAwait(false);
        var newId = retry.Start.RunId!.Value;
        var queue = retry.Original.Tags.FirstOrDefault(t => t.StartsWith(QueuedRuns.Tag(string.Empty), StringComparison.Ordinal))?[QueuedRuns.Tag(string.Empty).Length..];
        if (_client is FlowClient cluster)
        {
            var tags = retry.Start.Tags.Where(t => !t.StartsWith(QueuedRuns.Tag(string.Empty), StringComparison.Ordinal)).ToList();
            newId = await cluster.EnqueueCheckedAsync(retry.Flow, new Dictionary<string, JsonElement>(retry.Parameters, StringComparer.Ordinal), queue ?? OrchestrationOptions.DefaultQueue, retry.Start.Deployment, tags, cancellationToken).ConfigureAwait(false);
        }
        else if (_client is not null)
        {
            newId = await _client.EnqueueAsync(retry.Flow, retry.Parameters, queue, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            // Recorded first, so the caller can show the new run at once; then run here, in the background.
            _ = await _engine.TryScheduleRunAsync(retry.Flow, retry.Parameters, retry.Start, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"Run {newId} exists already: a new run id was taken.");
            _ = Task.Run(() => RunHereAsync(retry), CancellationToken.None);
        }

        _logger.Retried(retry.Original.Id, retry.Flow, newId, _client is null ? "in this process" : "queued");
        return newId;
    }

    private async Task RunHereAsync(RunRetry retry)
    {
        try
        {
            await _engine.RunAsync(retry.Flow, retry.Parameters, retry.Start, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The run's own failure is recorded in it; this is a failure to run it at all (the store gone, say).
            _logger.RetryFailedToStart(ex, retry.Start.RunId!.Value, retry.Flow);
        }
    }

    private async Task<RunRecord> GetFlowRunAsync(Guid runId, string hint, CancellationToken cancellationToken)
    {
        var run = await _engine.Store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false)
            ?? throw new RunControlException(RunControlRefusal.UnknownRun, runId, $"No run {runId} in the store.");
        if (run.Kind != RunKind.Flow)
        {
            throw new RunControlException(
                RunControlRefusal.NotAFlowRun,
                run.Id,
                $"Run {run.Id} is a task run of '{run.Name}', not a flow run: {hint}{(run.FlowRunId is { } flowRun ? $" ({flowRun})" : string.Empty)}.");
        }

        return run;
    }

    private async Task<RunCancelOutcome> CancelInProgressAsync(RunRecord run, string reason, CancellationToken cancellationToken)
    {
        // A run orchestration started (a deployment's slot, a queued run): its client also deletes a queued job not yet
        // fired and interrupts the firing on whichever replica runs it.
        var client = StartedByOrchestration(run) ? _client : null;
        if (run.State is RunState.Scheduled or RunState.Late)
        {
            var cancelled = client is not null
                ? await client.CancelAsync(run.Id, cancellationToken).ConfigureAwait(false)
                : await _engine.TryCancelScheduledRunAsync(run.Id, reason, cancellationToken).ConfigureAwait(false);
            if (cancelled && await _engine.Store.GetRunAsync(run.Id, cancellationToken).ConfigureAwait(false) is { State: RunState.Cancelled })
            {
                return RunCancelOutcome.CancelledBeforeStart;
            }
        }

        // In progress (or started while this ran): ask through the store, which the process running it reads.
        var reached = client is not null && await client.CancelAsync(run.Id, cancellationToken).ConfigureAwait(false);
        bool requested;
        try
        {
            requested = await _engine.Store.RequestCancelAsync(run.Id, reason, cancellationToken).ConfigureAwait(false);
        }
        catch (NotSupportedException ex) when (!reached)
        {
            throw new RunControlException(RunControlRefusal.CannotCancel, run.Id, ex.Message);
        }
        catch (NotSupportedException)
        {
            // Orchestration reached the run; the store's own request was a second path.
            requested = false;
        }

        // Neither took it: the run ended meanwhile.
        return reached || requested ? RunCancelOutcome.Requested : RunCancelOutcome.AlreadyEnded;
    }

    private static bool StartedByOrchestration(RunRecord run) =>
        run.Deployment is not null || run.Tags.Any(t => t.StartsWith(QueuedRuns.Tag(string.Empty), StringComparison.Ordinal));

    /// <summary>
    /// The parameters the run recorded, but its [Secret] ones (recorded as <c>***</c>; the new run resolves them again)
    /// and those changed. A value recorded with a secret masked inside it cannot be given back as it was.
    /// </summary>
    private static Dictionary<string, JsonElement> Recorded(RunDescriptor flow, RunRecord run, IReadOnlyDictionary<string, JsonElement> changes)
    {
        var values = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(run.Parameters))
        {
            return values;
        }

        using var document = JsonDocument.Parse(run.Parameters);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (flow.Parameters.FirstOrDefault(p => p.Name == property.Name) is not { } parameter || parameter.SecretName is not null || changes.ContainsKey(property.Name))
            {
                continue;
            }

            if (property.Value.GetRawText().Contains("***", StringComparison.Ordinal))
            {
                throw new RunControlException(
                    RunControlRefusal.MaskedParameter,
                    run.Id,
                    $"Run {run.Id}: parameter '{property.Name}' was recorded with a secret masked in it, so it cannot be given back as it was: give it again.",
                    property.Name);
            }

            values[property.Name] = property.Value.Clone();
        }

        return values;
    }
}

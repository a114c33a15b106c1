using System.Globalization;
using System.Text.Json;
using Flows.CompilerServices;
using Flows.Runs;

namespace Flows.Engine;

/// <summary>
/// Runs a flow found by its name, with parameters given as JSON values (<see cref="FlowEngine.RunAsync(string, IReadOnlyDictionary{string, JsonElement}, CancellationToken)"/>),
/// as a given run when a <see cref="RunStart"/> says so; and creates such runs Scheduled, ahead of their start.
/// </summary>
internal static class RunByName
{
    /// <summary>
    /// Runs the flow on <paramref name="engine"/> and returns its run's record whatever its state; throws
    /// <see cref="FlowParameterException"/> before anything is recorded when a parameter is missing, unknown or of the
    /// wrong type, and <see cref="InvalidOperationException"/> when the flow failed before its run was recorded, or
    /// when <paramref name="start"/> names a run that is neither Scheduled nor Late.
    /// </summary>
    public static async Task<RunRecord> RunAsync(
        FlowEngine engine, string flowName, IReadOnlyDictionary<string, JsonElement>? parameters, RunStart? start, CancellationToken cancellationToken)
    {
        var (descriptor, binder) = Bind(engine, flowName, parameters, engine.Services, cancellationToken);

        // Claiming the run is the store's business, not the run's: a token cancelled meanwhile does not stop it half-way,
        // it cancels the claimed run as it cancels any run once started.
        var origin = start is null
            ? new RunOrigin(RunIds.Next(engine.TimeProvider.GetUtcNow()))
            : await ContinueAsync(engine, descriptor, binder, start).ConfigureAwait(false);
        return await RunOriginAsync(engine, flowName, descriptor, binder, origin, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The next attempt of a Crashed flow run, under its id, when the flow's retries allow one: its parameters read back
    /// from its record, claimed through <see cref="Stores.IRunStore.TryClaimCrashedRunAsync"/>, run after the retry delay
    /// counted from the crash. Returns the run's final record, or null when it is not retried here.
    /// </summary>
    public static async Task<RunRecord?> TryRetryCrashedAsync(FlowEngine engine, Guid runId, CancellationToken cancellationToken)
    {
        var store = engine.Store;
        if (await store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false) is not { Kind: RunKind.Flow, State: RunState.Crashed } run
            || RunCatalog.FindFlow(run.Name) is not { } descriptor)
        {
            return null;
        }

        // A crash ends an attempt like a failure does: none left after attempt Retries + 1, and none at all by default.
        var options = engine.Bind(descriptor).Options;
        if (options.Retries <= 0 || run.Attempt > options.Retries)
        {
            return null;
        }

        // Checked before the claim: parameters that no longer bind leave the run Crashed, and the caller gets the error.
        var (_, binder) = Bind(engine, run.Name, StoredParameters(descriptor, run), engine.Services, cancellationToken);
        var now = engine.RetryTimeProvider.GetUtcNow();
        var delay = run.Attempt == 0 ? TimeSpan.Zero : Retries.RetryDelays.For(options, run.Attempt - 1, engine.Random);
        var crashedAt = run.EndedAt ?? now;
        var wait = crashedAt + delay - now;
        if (wait < TimeSpan.Zero)
        {
            wait = TimeSpan.Zero;
        }

        var next = run.Attempt + 1;
        var message = engine.Redact(
            $"Retry after a crash: attempt {next} of {options.Retries + 1} starts {(wait > TimeSpan.Zero ? $"in {Describe(wait)}, " : string.Empty)}"
            + $"{Describe(delay)} after the crash at {crashedAt.ToString("O", CultureInfo.InvariantCulture)} (\"{run.Error}\").");
        if (!await store.TryClaimCrashedRunAsync(run.Id, run.Attempt, [new StateTransition(run.Id, RunState.Pending, engine.TimeProvider.GetUtcNow(), next, message)], CancellationToken.None).ConfigureAwait(false))
        {
            return null;
        }

        Logging.RuntimeLog.CrashedRunRetried(engine.Logging.Runtime, run.Name, run.Id, next, options.Retries + 1, delay.TotalSeconds);
        var claimed = run with { State = RunState.Pending, Attempt = next, EndedAt = null, Error = null };
        try
        {
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, engine.RetryTimeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException ex)
        {
            await EndUnstartedAsync(engine, claimed, ex).ConfigureAwait(false);
            return await store.GetRunAsync(run.Id, CancellationToken.None).ConfigureAwait(false);
        }

        var origin = new RunOrigin(run.Id)
        {
            Deployment = run.Deployment,
            ScheduledFor = run.ScheduledFor,
            Tags = run.Tags,
            CreatedAt = run.CreatedAt,
            ContinuedAt = engine.TimeProvider.GetUtcNow(),
            Continues = true,
            ClaimedAttempt = next,
            StartedAt = run.StartedAt,
        };
        return await RunOriginAsync(engine, run.Name, descriptor, binder, origin, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Cancels a run that has not started (Scheduled or Late) through <see cref="Stores.IRunStore.TryCancelScheduledRunAsync"/>,
    /// with a Cancelled transition carrying <paramref name="reason"/>; true when this call cancelled it.
    /// </summary>
    public static async Task<bool> TryCancelScheduledAsync(FlowEngine engine, Guid runId, string reason, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        var message = engine.Redact($"Cancelled before it started: {reason}");
        var cancelled = await engine.Store.TryCancelScheduledRunAsync(runId, new StateTransition(runId, RunState.Cancelled, engine.TimeProvider.GetUtcNow(), 0, message), cancellationToken)
            .ConfigureAwait(false);
        if (cancelled)
        {
            Logging.RuntimeLog.ScheduledRunCancelled(engine.Logging.Runtime, runId, message);
        }

        return cancelled;
    }

    /// <summary>
    /// A crashed run's parameters as its record keeps them, for its retry: a [Secret] parameter's is left out (the record
    /// holds <c>***</c>; the retry resolves it from its secret again).
    /// </summary>
    private static Dictionary<string, JsonElement> StoredParameters(RunDescriptor descriptor, RunRecord run)
    {
        var values = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(run.Parameters))
        {
            return values;
        }

        using var document = JsonDocument.Parse(run.Parameters);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (descriptor.Parameters.FirstOrDefault(p => p.Name == property.Name) is not { SecretName: not null })
            {
                values[property.Name] = property.Value.Clone();
            }
        }

        return values;
    }

    /// <summary>Runs the flow as <paramref name="origin"/> says and returns its run's record; see <see cref="RunAsync"/>.</summary>
    private static async Task<RunRecord> RunOriginAsync(
        FlowEngine engine, string flowName, RunDescriptor descriptor, ParameterBinder binder, RunOrigin origin, CancellationToken cancellationToken)
    {
        var runId = origin.Id;
        using (engine.Use())
        {
            try
            {
                await descriptor.RunByNameAsync(engine, binder, origin, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not FlowParameterException)
            {
                // A run that started and failed is reported through its record; anything before that is an error.
                var stored = await engine.Store.GetRunAsync(runId, CancellationToken.None).ConfigureAwait(false);
                if (stored is null || !stored.State.IsFinal())
                {
                    // Claimed, never started (the flow's overlap policy turned it away, say): it ends now, not waits forever.
                    RunState? ended = stored is null ? null : await EndUnstartedAsync(engine, stored, ex).ConfigureAwait(false);
                    if (ex is FlowRunRejectedException)
                    {
                        throw;
                    }

                    throw new InvalidOperationException($"Flow '{flowName}' could not start{(ended is null ? string.Empty : $" its run {runId}, recorded {ended}")}: {ex.Message}", ex);
                }
            }
        }

        return await engine.Store.GetRunAsync(runId, CancellationToken.None).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Flow '{flowName}' ran but its run {runId} is not in the store.");
    }

    /// <summary>
    /// Creates the flow's run Scheduled, its parameters checked and recorded as a run of the flow records them, unless
    /// a run with <paramref name="start"/>'s id exists; returns it, or null when the id was taken.
    /// </summary>
    public static async Task<RunRecord?> TryScheduleAsync(
        FlowEngine engine, string flowName, IReadOnlyDictionary<string, JsonElement>? parameters, RunStart start, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(start);
        var (descriptor, binder) = Bind(engine, flowName, parameters, services: null, cancellationToken);
        var run = Scheduled(engine, descriptor, binder, start);
        return await engine.Store.TryCreateRunAsync(run, cancellationToken).ConfigureAwait(false) ? run : null;
    }

    /// <summary>
    /// The flow, and a binder of its parameters with those the flow does not take refused (and secret ones, with
    /// <paramref name="refuseSecrets"/>): what every run by name and <see cref="FlowCatalog.CheckParameters"/> begin
    /// with. <paramref name="services"/> null: the parameters are only checked or recorded, no instance of the flow's class is created.
    /// </summary>
    public static (RunDescriptor Descriptor, ParameterBinder Binder) Bind(
        FlowEngine? engine, string flowName, IReadOnlyDictionary<string, JsonElement>? parameters, IServiceProvider? services, CancellationToken cancellationToken, bool refuseSecrets = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(flowName);
        var descriptor = RunCatalog.FindFlow(flowName) ?? throw UnknownFlow(flowName);
        var masker = engine?.Secrets.Masker ?? new Secrets.Masking.SecretMasker();
        var binder = new ParameterBinder(descriptor, parameters ?? new Dictionary<string, JsonElement>(), services, masker, cancellationToken);
        binder.RejectUnknown(refuseSecrets);
        return (descriptor, binder);
    }

    /// <summary>"No flow is named 'x'. Known flows: …".</summary>
    public static ArgumentException UnknownFlow(string name)
    {
        var known = string.Join(", ", RunCatalog.Flows.Select(f => f.Name));
        return new ArgumentException(
            $"No flow is named '{name}'. Known flows: {(known.Length == 0 ? "(none; is the assembly that declares it loaded?)" : known)}.",
            nameof(name));
    }

    /// <summary>
    /// The run a <see cref="RunStart"/> asks for: the stored Scheduled or Late run with its id, else one created
    /// Scheduled now; recorded Late first when it starts past its slot's threshold.
    /// </summary>
    private static async Task<RunOrigin> ContinueAsync(FlowEngine engine, RunDescriptor descriptor, ParameterBinder binder, RunStart start)
    {
        if (start.LateAfter is { } threshold)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(threshold, TimeSpan.Zero, "start.LateAfter");
        }

        var store = engine.Store;
        var run = start.RunId is { } id ? await store.GetRunAsync(id, CancellationToken.None).ConfigureAwait(false) : null;
        if (run is null)
        {
            // Checked, and recorded as any run of the flow records them; a racing creator of the same id wins.
            var scheduled = Scheduled(engine, descriptor, binder, start);
            run = await store.TryCreateRunAsync(scheduled, CancellationToken.None).ConfigureAwait(false)
                ? scheduled
                : await store.GetRunAsync(scheduled.Id, CancellationToken.None).ConfigureAwait(false) ?? scheduled;
        }

        if (run.Kind != RunKind.Flow || !string.Equals(run.Name, descriptor.Name, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Run {run.Id} is a {run.Kind.ToString().ToLowerInvariant()} run of '{run.Name}', not of flow '{descriptor.Name}': it is not run as that flow.");
        }

        var now = engine.TimeProvider.GetUtcNow();
        var slot = run.ScheduledFor ?? start.ScheduledFor;
        IReadOnlyList<StateTransition> late = [];
        if (run.State == RunState.Scheduled && slot is { } due && start.LateAfter is { } lateAfter && now - due > lateAfter)
        {
            var message = $"Late by {Describe(now - due)}: started more than {Describe(lateAfter)} after its slot {due.ToString("O", CultureInfo.InvariantCulture)}.";
            late = [new StateTransition(run.Id, RunState.Late, now, 0, message)];
        }

        // The claim: of processes (or calls) starting this run, exactly one moves it on from Scheduled or Late.
        if (run.State is not (RunState.Scheduled or RunState.Late) || !await store.TryStartRunAsync(run.Id, late, CancellationToken.None).ConfigureAwait(false))
        {
            var state = (await store.GetRunAsync(run.Id, CancellationToken.None).ConfigureAwait(false))?.State ?? run.State;
            throw new RunAlreadyStartedException(run.Id, run.Name, state);
        }

        return new RunOrigin(run.Id)
        {
            Deployment = run.Deployment,
            ScheduledFor = run.ScheduledFor,
            Tags = run.Tags,
            CreatedAt = run.CreatedAt,
            ContinuedAt = now,
            Continues = true,
        };
    }

    /// <summary>
    /// Ends a claimed run that never started: Cancelled when it was turned away or cancelled, with the reason
    /// ("Skipped before it started: …"), else Failed with the error. Returns the state it ended in.
    /// </summary>
    private static async Task<RunState> EndUnstartedAsync(FlowEngine engine, RunRecord run, Exception error)
    {
        var now = engine.TimeProvider.GetUtcNow();
        var (state, message) = error switch
        {
            FlowRunRejectedException => (RunState.Cancelled, $"Skipped before it started: {error.Message}"),
            OperationCanceledException => (RunState.Cancelled, $"Cancelled before it started: {error.Message}"),
            _ => (RunState.Failed, $"Not started: {error.GetType().Name}: {error.Message}"),
        };
        message = engine.Secrets.Masker.Redact(message);
        await engine.Store.WriteAsync(
            new Stores.RunWriteBatch
            {
                Runs = [run with { State = state, EndedAt = now, Error = message }],
                Transitions = [new StateTransition(run.Id, state, now, run.Attempt, message)],
            },
            CancellationToken.None).ConfigureAwait(false);
        return state;
    }

    /// <summary>The Scheduled record of a run of the flow for <paramref name="start"/>, created now.</summary>
    private static RunRecord Scheduled(FlowEngine engine, RunDescriptor descriptor, ParameterBinder binder, RunStart start)
    {
        var options = engine.Bind(descriptor).Options;
        var now = engine.TimeProvider.GetUtcNow();
        return new RunRecord
        {
            Id = start.RunId ?? RunIds.Next(now),
            Kind = RunKind.Flow,
            Name = descriptor.Name,
            State = RunState.Scheduled,
            Parameters = descriptor.BindParameters(binder, engine),
            Deployment = start.Deployment,
            ScheduledFor = start.ScheduledFor,
            Tags = start.Tags.Count == 0 ? options.Tags : [.. options.Tags.Concat(start.Tags).Distinct(StringComparer.Ordinal)],
            Version = options.Version,
            CreatedAt = now,
        };
    }

    /// <summary>"2 h 5 min 3 s", "250 ms".</summary>
    private static string Describe(TimeSpan span)
    {
        if (span < TimeSpan.FromSeconds(1))
        {
            return $"{span.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms";
        }

        var parts = new List<string>(4);
        if (span.Days > 0)
        {
            parts.Add($"{span.Days} d");
        }

        if (span.Hours > 0)
        {
            parts.Add($"{span.Hours} h");
        }

        if (span.Minutes > 0)
        {
            parts.Add($"{span.Minutes} min");
        }

        if (span.Seconds > 0 || parts.Count == 0)
        {
            parts.Add($"{span.Seconds} s");
        }

        return string.Join(' ', parts);
    }
}

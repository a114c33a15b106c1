using Flows.Orchestration.Control;
using Flows.Orchestration.Deployments;
using Flows.Orchestration.Hosting;
using Flows.Orchestration.Reconciling;
using Flows.Orchestration.Running;
using Flows.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Quartz;

namespace Flows.Orchestration.Testing;

/// <summary>
/// Tests an application's schedules: loads its deployments (the same callback the application gives
/// <c>AddOrchestration</c>, plus its <c>[Flow(Schedule = ...)]</c> flows), runs them on the real Quartz scheduler
/// with an in-memory job store and a fake clock, and lists the runs each slot starts as the clock moves - a year of
/// daily slots in well under a second. With <see cref="ScheduleHarnessOptions.RunFlows"/> the flows really run, on
/// the in-memory engine of a <see cref="FlowTestHarness"/>.
/// </summary>
/// <remarks>
/// The clock moves from slot to slot: each step sets it to the next time any trigger is due and waits (in real time,
/// at most 30 s) until that firing has been handled, so no slot is ever late and none misfires. A deployment that is
/// wrong (unknown flow, bad parameter, bad cron or time zone) throws the <see cref="DeploymentException"/> the host
/// would, from the constructor.
/// </remarks>
/// <example>
/// <code>
/// await using var harness = new ScheduleHarness(Program.Deployments);
/// var slots = await harness.AdvanceAsync(TimeSpan.FromDays(7));
/// Assert.That(slots.Count(s => s.Deployment == "voter-sync-ohio"), Is.EqualTo(5));
/// </code>
/// </example>
public sealed class ScheduleHarness : IAsyncDisposable
{
    private static readonly TimeSpan StepLimit = TimeSpan.FromSeconds(30);

    /// <summary>The trigger groups the harness drives and records: the schedules' and the backfills' one-shot triggers.</summary>
    private static readonly string[] Groups = [JobData.Group, JobData.BackfillGroup];

    private readonly IReadOnlyList<Deployment> _deployments;
    private readonly OrchestrationScheduler _holder;
    private readonly SlotRecorder _recorder;
    private IScheduler? _scheduler;
    private int _reported;

    /// <summary>Loads the deployments <paramref name="deployments"/> declares (and, by default, those of scheduled flows) and checks them.</summary>
    /// <param name="deployments">The application's own orchestration callback, as passed to <c>AddOrchestration</c>.</param>
    /// <param name="configure">Harness settings: start time, whether flows run.</param>
    /// <exception cref="DeploymentException">A deployment is not valid; the message names it, the field and what was expected.</exception>
    public ScheduleHarness(Action<OrchestrationOptions>? deployments = null, Action<ScheduleHarnessOptions>? configure = null)
    {
        var options = new ScheduleHarnessOptions();
        configure?.Invoke(options);
        var orchestration = new OrchestrationOptions();
        deployments?.Invoke(orchestration);
        if (!options.DeployFlowSchedules)
        {
            orchestration.DeployFlowSchedules = false;
        }

        // What the harness decides whatever the application's settings: its own in-memory job store under a name no
        // other harness uses (tests run in parallel), and a scheduler that fires.
        orchestration.JobStore.Provider = JobStoreProvider.Memory;
        orchestration.SchedulerName = "schedule-harness-" + Guid.NewGuid().ToString("N");
        orchestration.Schedules = true;
        _deployments = DeploymentValidation.Validate(orchestration);

        Flows = new FlowTestHarness(o =>
        {
            o.StartTime = options.StartTime;
            options.Flows?.Invoke(o);
        });
        _holder = new OrchestrationScheduler(Options.Create(orchestration), Flows.Engine, new RunningDeployments(), NoServices.Instance);
        _recorder = new SlotRecorder(options.RunFlows, Flows.Store, Flows.Time, orchestration.MisfireThreshold);
        Deployments = new StartedDeployments(this, new DeploymentControl(_holder));
    }

    /// <summary>The flow harness the runs are recorded on: its engine, store, services (register the flows' dependencies there) and clock.</summary>
    public FlowTestHarness Flows { get; }

    /// <summary>The fake clock the scheduler runs on (the flow harness's).</summary>
    public FakeTimeProvider Time => Flows.Time;

    /// <summary>Controls the loaded deployments as at run time: list them with their next slot, pause, resume, backfill.</summary>
    public IDeployments Deployments { get; }

    /// <summary>Every slot started so far, in the order their firings were handled (a backfill's slots come in no fixed order); a slot two schedules of one deployment share appears once.</summary>
    public IReadOnlyList<ScheduledSlot> Slots => _recorder.Slots;

    /// <summary>Moves the clock forward by <paramref name="duration"/>, slot by slot, and returns the slots started since the previous call.</summary>
    public Task<IReadOnlyList<ScheduledSlot>> AdvanceAsync(TimeSpan duration, CancellationToken cancellationToken = default) =>
        duration < TimeSpan.Zero
            ? throw new ArgumentOutOfRangeException(nameof(duration), duration, "The clock only moves forward.")
            : AdvanceToAsync(Time.GetUtcNow() + duration, cancellationToken);

    /// <summary>
    /// Moves the clock to <paramref name="time"/>, slot by slot, and returns the slots started since the previous call
    /// (those at <paramref name="time"/> included, and any started in between, e.g. by resuming a deployment), oldest first.
    /// </summary>
    /// <exception cref="TimeoutException">A due firing was not handled within 30 s of real time (with <see cref="ScheduleHarnessOptions.RunFlows"/>: a flow did not end).</exception>
    public async Task<IReadOnlyList<ScheduledSlot>> AdvanceToAsync(DateTimeOffset time, CancellationToken cancellationToken = default)
    {
        if (time < Time.GetUtcNow())
        {
            throw new ArgumentOutOfRangeException(nameof(time), time, $"The clock only moves forward; it is at {Time.GetUtcNow():O}.");
        }

        var scheduler = await StartAsync(cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var before = _recorder.Firings();
            if (await NextDueAsync(scheduler, cancellationToken).ConfigureAwait(false) is not { } due || due.At > time)
            {
                break;
            }

            if (due.At > Time.GetUtcNow())
            {
                Time.SetUtcNow(due.At);
            }

            try
            {
                await _recorder.HandledAsync(due.Triggers, before, cancellationToken).WaitAsync(StepLimit, TimeProvider.System, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException ex)
            {
                throw new TimeoutException(
                    $"The schedule harness moved the clock to {due.At:O}, where {string.Join(", ", due.Triggers)} are due, and the firing was not handled within {StepLimit.TotalSeconds:N0} s{(_recorder.RunsFlows ? " (is a flow waiting on something that never comes?)" : string.Empty)}.",
                    ex);
            }
        }

        if (time > Time.GetUtcNow())
        {
            Time.SetUtcNow(time);
        }

        // Everything since the last call, so a slot started between calls (a resumed deployment catching up) is listed
        // too; oldest first, as a backfill's firings (all due at once) come in no fixed order.
        var slots = _recorder.Slots;
        var reported = Interlocked.Exchange(ref _reported, slots.Count);
        return [.. slots.Skip(reported).OrderBy(s => s.Slot)];
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _holder.ShutdownAsync(waitForJobsToComplete: true, CancellationToken.None).ConfigureAwait(false);
        await _holder.DisposeAsync().ConfigureAwait(false);
        await Flows.DisposeAsync().ConfigureAwait(false);
    }

    private async Task<IScheduler> StartAsync(CancellationToken cancellationToken)
    {
        if (_scheduler is { } started)
        {
            return started;
        }

        var scheduler = await _holder.GetAsync(cancellationToken).ConfigureAwait(false);
        await new Reconciler(scheduler, NullLogger.Instance, CodeVersion.Current, Time).ReconcileAsync(_deployments, cancellationToken).ConfigureAwait(false);
        scheduler.ListenerManager.AddTriggerListener(_recorder, [.. Groups.Select(GroupMatcher<TriggerKey>.GroupEquals)]);
        await scheduler.Start(cancellationToken).ConfigureAwait(false);
        return _scheduler = scheduler;
    }

    /// <summary>The earliest time an unpaused trigger is due, with the triggers due then; null when none will fire again.</summary>
    private static async Task<(DateTimeOffset At, IReadOnlyList<TriggerKey> Triggers)?> NextDueAsync(IScheduler scheduler, CancellationToken cancellationToken)
    {
        var due = new List<(TriggerKey Key, DateTimeOffset At)>();
        var keys = new List<TriggerKey>();
        foreach (var group in Groups)
        {
            keys.AddRange(await scheduler.GetTriggerKeys(GroupMatcher<TriggerKey>.GroupEquals(group), cancellationToken).ConfigureAwait(false));
        }

        foreach (var key in keys)
        {
            if (await scheduler.GetTrigger(key, cancellationToken).ConfigureAwait(false) is { NextFireTimeUtc: { } at }
                && await scheduler.GetTriggerState(key, cancellationToken).ConfigureAwait(false) != TriggerState.Paused)
            {
                due.Add((key, at));
            }
        }

        if (due.Count == 0)
        {
            return null;
        }

        var first = due.Min(d => d.At);
        return (first, [.. due.Where(d => d.At == first).Select(d => d.Key)]);
    }

    /// <summary>The harness's deployments, reconciled into its scheduler on first use, so they can be listed (or paused, or backfilled) before the clock has moved.</summary>
    private sealed class StartedDeployments(ScheduleHarness harness, DeploymentControl control) : IDeployments
    {
        public async Task<IReadOnlyList<DeploymentInfo>> ListAsync(CancellationToken cancellationToken = default)
        {
            await harness.StartAsync(cancellationToken).ConfigureAwait(false);
            return await control.ListAsync(cancellationToken).ConfigureAwait(false);
        }

        public async Task PauseAsync(string deployment, string reason, string requestedBy, CancellationToken cancellationToken = default)
        {
            await harness.StartAsync(cancellationToken).ConfigureAwait(false);
            await control.PauseAsync(deployment, reason, requestedBy, cancellationToken).ConfigureAwait(false);
        }

        public async Task ResumeAsync(string deployment, CancellationToken cancellationToken = default)
        {
            await harness.StartAsync(cancellationToken).ConfigureAwait(false);
            await control.ResumeAsync(deployment, cancellationToken).ConfigureAwait(false);
        }

        public async Task<BackfillResult> BackfillAsync(string deployment, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
        {
            await harness.StartAsync(cancellationToken).ConfigureAwait(false);
            var before = harness._recorder.HandledIn(JobData.BackfillGroup);
            var result = await control.BackfillAsync(deployment, from, to, cancellationToken).ConfigureAwait(false);

            // Its one-shot triggers are due at once and fire without the clock moving, possibly before a step could see
            // them: the backfill returns once each has been handled, so the next step lists its slots.
            try
            {
                await harness._recorder.HandledInAsync(JobData.BackfillGroup, before + result.Scheduled, cancellationToken)
                    .WaitAsync(StepLimit, TimeProvider.System, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException ex)
            {
                throw new TimeoutException($"The schedule harness backfilled {result.Scheduled} slots of '{deployment}' and they were not handled within {StepLimit.TotalSeconds:N0} s.", ex);
            }

            return result;
        }
    }

    /// <summary>The harness's scheduler asks for a logger factory and configuration; it has neither and uses defaults.</summary>
    private sealed class NoServices : IServiceProvider
    {
        public static readonly NoServices Instance = new();

        public object? GetService(Type serviceType) => null;
    }
}

using System.Text.Json;
using Flows.Orchestration.Deployments;
using Flows.Orchestration.Running;
using Flows.Stores;
using Microsoft.Extensions.Logging.Abstractions;
using Quartz;

namespace Flows.Orchestration.Testing;

/// <summary>
/// Listens to the harness's triggers: records each slot once (by deployment and slot, as the run key does) and tells
/// the harness when the firings it expects have been handled. Without flows running it vetoes every execution, so
/// nothing runs; with them, a firing counts as handled once its job (and so the flow run) has ended.
/// </summary>
internal sealed class SlotRecorder(bool runFlows, IRunStore store, TimeProvider time, TimeSpan misfireThreshold) : ITriggerListener
{
    private readonly Lock _lock = new();
    private readonly List<ScheduledSlot> _slots = [];
    private readonly HashSet<(string, DateTimeOffset)> _seen = [];
    private readonly Dictionary<TriggerKey, int> _firings = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Name => "flows-schedule-harness";

    public bool RunsFlows => runFlows;

    public IReadOnlyList<ScheduledSlot> Slots
    {
        get
        {
            lock (_lock)
            {
                return [.. _slots];
            }
        }
    }

    /// <summary>How many firings of each trigger have been handled so far.</summary>
    public IReadOnlyDictionary<TriggerKey, int> Firings()
    {
        lock (_lock)
        {
            return new Dictionary<TriggerKey, int>(_firings);
        }
    }

    /// <summary>
    /// Completes once each of <paramref name="triggers"/> has a firing handled beyond the count in <paramref name="before"/>
    /// (taken before the triggers' due times were read, so a firing that came in between still counts).
    /// </summary>
    public async Task HandledAsync(IReadOnlyList<TriggerKey> triggers, IReadOnlyDictionary<TriggerKey, int> before, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                if (triggers.All(t => _firings.GetValueOrDefault(t) > before.GetValueOrDefault(t)))
                {
                    return;
                }

                changed = _changed.Task;
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>How many firings of triggers in <paramref name="group"/> have been handled so far.</summary>
    public int HandledIn(string group)
    {
        lock (_lock)
        {
            return _firings.Where(f => f.Key.Group == group).Sum(f => f.Value);
        }
    }

    /// <summary>Completes once <paramref name="count"/> firings of triggers in <paramref name="group"/> have been handled in all.</summary>
    public async Task HandledInAsync(string group, int count, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                if (_firings.Where(f => f.Key.Group == group).Sum(f => f.Value) >= count)
                {
                    return;
                }

                changed = _changed.Task;
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public ValueTask TriggerFired(ITrigger trigger, IJobExecutionContext context, CancellationToken cancellationToken = default) => default;

    public async ValueTask<bool> VetoJobExecution(ITrigger trigger, IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        if (runFlows)
        {
            return false;
        }

        await RecordAsync(trigger, context).ConfigureAwait(false);
        return true;
    }

    public ValueTask TriggerMisfired(ITrigger trigger, IScheduler scheduler, CancellationToken cancellationToken = default) => default;

    public ValueTask TriggerSkipped(ITrigger trigger, IScheduler scheduler, CancellationToken cancellationToken = default)
    {
        // An overlap policy skipped the firing: nothing started, but the step is done with it.
        Handled(trigger.Key, []);
        return default;
    }

    public async ValueTask TriggerComplete(ITrigger trigger, IJobExecutionContext context, SchedulerInstruction triggerInstructionCode, CancellationToken cancellationToken = default)
    {
        if (runFlows)
        {
            await RecordAsync(trigger, context).ConfigureAwait(false);
        }
    }

    public ValueTask TriggerRetriesExhausted(ITrigger trigger, IJobExecutionContext context, JobExecutionException exception, CancellationToken cancellationToken = default) => default;

    private async Task RecordAsync(ITrigger trigger, IJobExecutionContext context)
    {
        var deployment = context.JobDetail.Key.Name;
        var definition = DeploymentDefinition.Read(context.JobDetail.JobDataMap.GetString(JobData.Definition)!);
        // The slots the job runs for this firing: its own, a backfill's, or those a catch-up picks (after a pause).
        var slots = await FiringSlots.OfAsync(context, definition, time.GetUtcNow(), misfireThreshold, NullLogger.Instance, CancellationToken.None).ConfigureAwait(false);
        // A backfill's one-shot trigger has no zone: its slots are the deployment's first schedule's.
        var zone = trigger is ICronTrigger cron ? cron.TimeZone
            : FiringSlots.Backfill(context) is not null && definition.Schedules is [{ TimeZone: { } id }, ..] ? TimeZoneInfo.FindSystemTimeZoneById(id)
            : TimeZoneInfo.Utc;
        var recorded = new List<ScheduledSlot>();
        foreach (var slot in slots)
        {
            var run = runFlows ? await store.GetRunAsync(SlotRunIds.For(deployment, slot)).ConfigureAwait(false) : null;
            recorded.Add(new ScheduledSlot(
                deployment,
                definition.Flow,
                slot,
                TimeZoneInfo.ConvertTime(slot, zone),
                zone.Id,
                definition.Parameters.ToDictionary(p => p.Key, p => p.Value.Clone(), StringComparer.Ordinal),
                run));
        }

        Handled(trigger.Key, recorded);
    }

    private void Handled(TriggerKey trigger, IReadOnlyList<ScheduledSlot> slots)
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            _slots.AddRange(slots.Where(slot => _seen.Add((slot.Deployment, slot.Slot))));

            _firings[trigger] = _firings.GetValueOrDefault(trigger) + 1;
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }
}

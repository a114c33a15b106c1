using System.Globalization;
using Flows.Orchestration.Deployments;
using Flows.Orchestration.Hosting;
using Flows.Orchestration.Logging;
using Flows.Orchestration.Running;
using Microsoft.Extensions.Logging;
using Quartz;

namespace Flows.Orchestration.Control;

/// <summary>
/// <see cref="IDeployments"/> on the host's Quartz scheduler: reads the job store, and pauses, resumes and backfills
/// through it, so every change is stored and seen by every node.
/// </summary>
internal sealed class DeploymentControl(OrchestrationScheduler holder, ILoggerFactory? loggerFactory = null) : IDeployments
{
    /// <summary>The most slots one backfill schedules; a longer window is refused whole.</summary>
    public const int MaxBackfillSlots = 1000;

    private readonly ILogger _logger = (loggerFactory ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance).CreateLogger(OrchestrationLog.Category);

    public async Task<IReadOnlyList<DeploymentInfo>> ListAsync(CancellationToken cancellationToken = default)
    {
        var scheduler = await holder.GetAsync(cancellationToken).ConfigureAwait(false);
        var keys = await scheduler.GetJobKeys(GroupMatcher<JobKey>.GroupEquals(JobData.Group), cancellationToken).ConfigureAwait(false);
        var list = new List<DeploymentInfo>();
        foreach (var key in keys.OrderBy(k => k.Name, StringComparer.Ordinal))
        {
            if (await scheduler.GetJobDetail(key, cancellationToken).ConfigureAwait(false) is not { } job)
            {
                continue;
            }

            var definition = DeploymentDefinition.Read(job.JobDataMap.GetString(JobData.Definition)!);
            var triggers = (await scheduler.GetTriggersOfJob(key, cancellationToken).ConfigureAwait(false))
                .Where(t => t.Key.Group.Equals(JobData.Group, StringComparison.Ordinal)).ToList();
            PauseInfo? pause = null;
            var paused = false;
            foreach (var trigger in triggers)
            {
                if (await scheduler.GetTriggerState(trigger.Key, cancellationToken).ConfigureAwait(false) == TriggerState.Paused)
                {
                    paused = true;
                    pause ??= await scheduler.GetTriggerPause(trigger.Key, cancellationToken).ConfigureAwait(false);
                }
            }

            list.Add(new DeploymentInfo
            {
                Name = key.Name,
                Flow = definition.Flow,
                Schedules = [.. definition.Schedules.Select(s => s.Describe())],
                ScheduleDefinitions = [.. definition.Schedules.Select(s => new DeploymentSchedule(s.Cron, s.TimeZone, s.Every, s.Anchor))],
                NextFireTime = paused ? null : triggers.Select(t => t.NextFireTimeUtc).Where(t => t is not null).Min(),
                UpcomingFireTimes = paused ? [] : Upcoming(triggers, DeploymentInfo.UpcomingCount),
                Paused = paused,
                PauseReason = pause?.Reason,
                PausedBy = pause?.RequestedBy,
                PausedAt = pause?.PausedAtUtc,
                Parameters = definition.Parameters,
                Tags = definition.Tags,
                Queue = definition.Queue ?? OrchestrationOptions.DefaultQueue,
                CatchUp = definition.CatchUp,
                Overlap = definition.Overlap,
                Description = definition.Description,
                CodeVersion = job.JobDataMap.GetString(JobData.Version),
                DefinitionHash = job.JobDataMap.GetString(JobData.Hash) ?? string.Empty,
            });
        }

        return list;
    }

    public async Task PauseAsync(string deployment, string reason, string requestedBy, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        ArgumentException.ThrowIfNullOrWhiteSpace(requestedBy);
        var (scheduler, _) = await FindAsync(deployment, cancellationToken).ConfigureAwait(false);
        await scheduler.PauseJobWith(JobData.JobKey(deployment), new PauseDetails { Reason = reason, RequestedBy = requestedBy }, cancellationToken).ConfigureAwait(false);
        _logger.Paused(deployment, requestedBy, reason);
    }

    public async Task ResumeAsync(string deployment, CancellationToken cancellationToken = default)
    {
        var (scheduler, _) = await FindAsync(deployment, cancellationToken).ConfigureAwait(false);
        var now = holder.Engine.TimeProvider.GetUtcNow();
        var triggers = await scheduler.GetTriggersOfJob(JobData.JobKey(deployment), cancellationToken).ConfigureAwait(false);
        foreach (var trigger in triggers.Where(t => t.Key.Group.Equals(JobData.Group, StringComparison.Ordinal)))
        {
            // A paused schedule whose next slot has passed would fire its missed slots on resume as misfires, under the
            // catch-up policy. Pausing means "don't run these slots": the trigger is rewritten to start at its first slot
            // after now (a slot of its own schedule, so an interval keeps its grid), which also resumes it. Backfill
            // triggers (another group) keep their past slots and are resumed below.
            if (trigger.NextFireTimeUtc is { } missed && missed < now
                && trigger.GetFireTimeAfter(now) is { } next
                && await scheduler.GetTriggerState(trigger.Key, cancellationToken).ConfigureAwait(false) == TriggerState.Paused)
            {
                var fromNext = trigger.GetTriggerBuilder().StartAt(next).Build();
                await scheduler.RescheduleJob(trigger.Key, fromNext, cancellationToken).ConfigureAwait(false);
            }
        }

        await scheduler.ResumeJob(JobData.JobKey(deployment), cancellationToken).ConfigureAwait(false);
        _logger.Resumed(deployment);
    }

    public async Task<BackfillResult> BackfillAsync(string deployment, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        var (scheduler, job) = await FindAsync(deployment, cancellationToken).ConfigureAwait(false);
        var now = holder.Engine.TimeProvider.GetUtcNow();
        if (from >= to)
        {
            throw new ArgumentException($"Backfill of deployment '{deployment}': the window [{from:O}, {to:O}) is empty; 'from' must be before 'to'.", nameof(from));
        }

        if (to > now)
        {
            throw new ArgumentException($"Backfill of deployment '{deployment}': 'to' ({to:O}) is in the future (now {now:O}); a backfill runs past slots, its schedule runs the rest.", nameof(to));
        }

        // Slots come from the stored definition, so a backfill runs what the job store says the deployment is.
        var stored = Deployment.FromStored(deployment, job.JobDataMap.GetString(JobData.Definition)!);
        var slots = stored.SlotsIn(from, to, MaxBackfillSlots);
        if (slots.Count > MaxBackfillSlots)
        {
            throw new ArgumentException(
                $"Backfill of deployment '{deployment}': the window [{from:O}, {to:O}) holds more than {MaxBackfillSlots} slots; backfill it in shorter windows.", nameof(to));
        }

        int scheduled = 0, alreadyDone = 0;
        foreach (var slot in slots)
        {
            // The run key decides in the end (a duplicate firing claims nothing); checking first keeps a re-run backfill from firing at all.
            if (await holder.Engine.Store.GetRunAsync(SlotRunIds.For(deployment, slot), cancellationToken).ConfigureAwait(false) is not null)
            {
                alreadyDone++;
                continue;
            }

            var trigger = TriggerBuilder.Create(holder.Engine.TimeProvider)
                .WithIdentity(new TriggerKey($"{deployment}@{slot.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)}", JobData.BackfillGroup))
                .ForJob(job.Key)
                .WithExecutionGroup(stored.Definition.Queue)
                .UsingJobData(JobData.BackfillSlot, slot.ToString("O", CultureInfo.InvariantCulture))
                .StartAt(now)
                .WithSimpleSchedule(s => s.WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow))
                .Build();
            try
            {
                await scheduler.ScheduleJob(trigger, new ScheduleJobOptions(), cancellationToken).ConfigureAwait(false);
                scheduled++;
            }
            catch (ObjectAlreadyExistsException)
            {
                alreadyDone++;
            }
        }

        _logger.Backfilled(deployment, from, to, slots.Count, scheduled, alreadyDone);
        return new BackfillResult { Deployment = deployment, Slots = slots, Scheduled = scheduled, AlreadyDone = alreadyDone };
    }

    /// <summary>
    /// The first <paramref name="count"/> slots of the triggers together, earliest first, each once: every trigger from its
    /// stored next fire time on (so what Quartz will fire, misfire rewrites included), as Quartz computes the ones after.
    /// </summary>
    internal static IReadOnlyList<DateTimeOffset> Upcoming(IEnumerable<ITrigger> triggers, int count)
    {
        var slots = new SortedSet<DateTimeOffset>();
        foreach (var trigger in triggers)
        {
            var next = trigger.NextFireTimeUtc;
            for (var i = 0; i < count && next is { } slot; i++)
            {
                slots.Add(slot);
                next = trigger.GetFireTimeAfter(slot);
            }
        }

        return [.. slots.Take(count)];
    }

    private Task<(IScheduler Scheduler, IJobDetail Job)> FindAsync(string deployment, CancellationToken cancellationToken) => FindAsync(holder, deployment, cancellationToken);

    /// <summary>The scheduler and the stored job of a deployment; an <see cref="ArgumentException"/> listing the deployments when there is none of that name.</summary>
    internal static async Task<(IScheduler Scheduler, IJobDetail Job)> FindAsync(OrchestrationScheduler holder, string deployment, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deployment);
        var scheduler = await holder.GetAsync(cancellationToken).ConfigureAwait(false);
        if (await scheduler.GetJobDetail(JobData.JobKey(deployment), cancellationToken).ConfigureAwait(false) is { } job)
        {
            return (scheduler, job);
        }

        var known = (await scheduler.GetJobKeys(GroupMatcher<JobKey>.GroupEquals(JobData.Group), cancellationToken).ConfigureAwait(false))
            .Select(k => k.Name).Order(StringComparer.Ordinal).ToList();
        var names = known.Count == 0 ? "(none)" : string.Join(", ", known);
        throw new ArgumentException($"No deployment is named '{deployment}'. Deployments: {names}.", nameof(deployment));
    }
}

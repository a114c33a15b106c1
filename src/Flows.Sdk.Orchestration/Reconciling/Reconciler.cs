using Flows.Orchestration.Deployments;
using Flows.Orchestration.Logging;
using Flows.Orchestration.Running;
using Microsoft.Extensions.Logging;
using Quartz;

namespace Flows.Orchestration.Reconciling;

/// <summary>
/// Makes the job store hold what the code declares: a new deployment is created, a changed one (its definition hash
/// differs) replaced, one the code no longer declares deleted, and an unchanged one not written at all - replacing an
/// unchanged trigger would fire its current slot again on every replica that starts. A deployment last written by
/// newer code (<see cref="CodeVersion.IsNewer"/>) is left alone, so an old replica in a rolling deploy never reverts it.
/// A pause survives: a replaced deployment is paused again with its pause's reason and requester. A deployment stored
/// by another <paramref name="application"/> (two applications configured with one scheduler name) is never deleted.
/// </summary>
internal sealed class Reconciler(IScheduler scheduler, ILogger logger, string codeVersion, TimeProvider time, string? application = null)
{
    public async Task<ReconcileSummary> ReconcileAsync(IReadOnlyList<Deployment> deployments, CancellationToken cancellationToken)
    {
        var summary = new ReconcileSummary();
        foreach (var deployment in deployments)
        {
            await ReconcileAsync(deployment, summary, cancellationToken).ConfigureAwait(false);
        }

        var declared = deployments.Select(d => d.Name).ToHashSet(StringComparer.Ordinal);
        var stored = await scheduler.GetJobKeys(GroupMatcher<JobKey>.GroupEquals(JobData.Group), cancellationToken).ConfigureAwait(false);
        foreach (var key in stored.Where(k => !declared.Contains(k.Name)).OrderBy(k => k.Name, StringComparer.Ordinal))
        {
            var job = await scheduler.GetJobDetail(key, cancellationToken).ConfigureAwait(false);
            if (job?.JobDataMap.GetString(JobData.Application) is { Length: > 0 } owner && application is not null && !string.Equals(owner, application, StringComparison.Ordinal))
            {
                continue;
            }

            var storedVersion = job?.JobDataMap.GetString(JobData.Version);
            if (CodeVersion.IsNewer(storedVersion, codeVersion))
            {
                logger.KeptNewer(key.Name, storedVersion!, codeVersion);
                summary.KeptNewer++;
                continue;
            }

            await scheduler.DeleteJob(key, cancellationToken).ConfigureAwait(false);
            logger.Deleted(key.Name);
            summary.Deleted++;
        }

        logger.Reconciled(codeVersion, summary.Created, summary.Updated, summary.Deleted, summary.Unchanged, summary.KeptNewer);
        return summary;
    }

    private async Task ReconcileAsync(Deployment deployment, ReconcileSummary summary, CancellationToken cancellationToken, bool raced = false)
    {
        var key = JobData.JobKey(deployment.Name);
        var schedules = string.Join("; ", deployment.Definition.Schedules.Select(s => s.Describe()));
        var stored = await scheduler.GetJobDetail(key, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            try
            {
                await scheduler.ScheduleJob(DeploymentTriggers.Job(deployment, codeVersion, application), Triggers(deployment), new ScheduleJobOptions(), cancellationToken).ConfigureAwait(false);
                logger.Created(deployment.Name, deployment.Definition.Flow, schedules);
                summary.Created++;
            }
            catch (ObjectAlreadyExistsException) when (!raced)
            {
                // Another replica created it between the read and the write. In a rolling deploy that replica may run
                // other code (older or newer): read what it wrote and reconcile with that, once.
                await ReconcileAsync(deployment, summary, cancellationToken, raced: true).ConfigureAwait(false);
            }
            catch (ObjectAlreadyExistsException)
            {
                // Created, deleted and created again by others while this replica reconciled twice: left to them.
                logger.Unchanged(deployment.Name);
                summary.Unchanged++;
            }

            return;
        }

        var storedVersion = stored.JobDataMap.GetString(JobData.Version) ?? "(none)";
        if (string.Equals(stored.JobDataMap.GetString(JobData.Hash), deployment.Hash, StringComparison.Ordinal))
        {
            logger.Unchanged(deployment.Name);
            summary.Unchanged++;
            return;
        }

        if (CodeVersion.IsNewer(storedVersion, codeVersion))
        {
            logger.KeptNewer(deployment.Name, storedVersion, codeVersion);
            summary.KeptNewer++;
            return;
        }

        var job = DeploymentTriggers.Job(deployment, codeVersion, application);
        if (SameTriggers(stored, deployment))
        {
            // Only what a firing reads changed (parameters, description, thresholds): the job is rewritten and its
            // triggers kept with their next slot, so a slot that came due while the processes were being replaced by
            // the deploy bringing this change is still missed and caught up by the policy, as after any restart.
            await scheduler.AddJob(job, AddJobOptions.Replacing, cancellationToken).ConfigureAwait(false);
            logger.Updated(deployment.Name, deployment.Definition.Flow, schedules, storedVersion);
            summary.Updated++;
            return;
        }

        var oldTriggers = await scheduler.GetTriggersOfJob(key, cancellationToken).ConfigureAwait(false);
        var pause = await PauseOfAsync(oldTriggers, cancellationToken).ConfigureAwait(false);
        var triggers = Triggers(deployment);
        // A paused deployment is stored paused again in the same write, with its pause's reason and requester.
        var replace = new ScheduleJobOptions { Replace = true, PauseReason = pause?.Reason, PauseRequestedBy = pause?.RequestedBy };
        await scheduler.ScheduleJob(job, triggers, replace, cancellationToken).ConfigureAwait(false);
        // Only the schedule's own triggers: a backfill's one-shot triggers waiting to fire stay.
        var gone = oldTriggers.Select(t => t.Key).Where(k => k.Group.Equals(JobData.Group, StringComparison.Ordinal)).Except(triggers.Select(t => t.Key)).ToList();
        if (gone.Count > 0)
        {
            await scheduler.UnscheduleJobs(gone, cancellationToken).ConfigureAwait(false);
        }

        logger.Updated(deployment.Name, deployment.Definition.Flow, schedules, storedVersion);
        summary.Updated++;
    }

    private IReadOnlyCollection<ITrigger> Triggers(Deployment deployment) => DeploymentTriggers.Triggers(deployment, time);

    /// <summary>
    /// Whether the stored deployment's triggers are what this code would write: the same schedules, catch-up,
    /// overlap (which also picks the job's type) and queue (the triggers' execution group). A definition that no longer reads counts as different.
    /// </summary>
    private static bool SameTriggers(IJobDetail stored, Deployment deployment)
    {
        if (stored.JobDataMap.GetString(JobData.Definition) is not { } json)
        {
            return false;
        }

        DeploymentDefinition before;
        try
        {
            before = DeploymentDefinition.Read(json);
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }

        var now = deployment.Definition;
        return before.Schedules.SequenceEqual(now.Schedules)
            && before.CatchUp == now.CatchUp
            && before.CatchUpLimit == now.CatchUpLimit
            && before.Overlap == now.Overlap
            && string.Equals(before.Queue, now.Queue, StringComparison.Ordinal);
    }

    /// <summary>The pause of a paused deployment (its reason and requester, or the reasonless pause), or null when it is not paused.</summary>
    private async Task<PauseDetails?> PauseOfAsync(IReadOnlyCollection<ITrigger> triggers, CancellationToken cancellationToken)
    {
        foreach (var trigger in triggers.Where(t => !t.Key.Group.Equals(JobData.BackfillGroup, StringComparison.Ordinal)))
        {
            if (await scheduler.GetTriggerState(trigger.Key, cancellationToken).ConfigureAwait(false) == TriggerState.Paused)
            {
                var info = await scheduler.GetTriggerPause(trigger.Key, cancellationToken).ConfigureAwait(false);
                return new PauseDetails { Reason = info?.Reason ?? "paused", RequestedBy = info?.RequestedBy };
            }
        }

        return null;
    }
}

/// <summary>What one reconcile did.</summary>
internal sealed class ReconcileSummary
{
    public int Created { get; set; }

    public int Updated { get; set; }

    public int Deleted { get; set; }

    public int Unchanged { get; set; }

    public int KeptNewer { get; set; }
}

using Flows.Orchestration.Deployments;
using Flows.Orchestration.Running;
using Quartz;

namespace Flows.Orchestration.Reconciling;

/// <summary>A deployment as Quartz stores it: one durable job carrying its definition, hash and code version, and one trigger per Quartz schedule.</summary>
internal static class DeploymentTriggers
{
    public static IJobDetail Job(Deployment deployment, string codeVersion, string? application = null)
    {
        var type = deployment.Definition.Overlap == DeploymentOverlap.Queue ? typeof(QueuedDeploymentJob) : typeof(DeploymentJob);
        return JobBuilder.Create().OfType(type)
            .WithIdentity(JobData.JobKey(deployment.Name))
            .WithDescription(deployment.Definition.Description ?? $"flow {deployment.Definition.Flow}")
            .StoreDurably()
            .UsingJobData(JobData.Definition, deployment.DefinitionJson)
            .UsingJobData(JobData.Hash, deployment.Hash)
            .UsingJobData(JobData.Version, codeVersion)
            .UsingJobData(JobData.Application, application ?? string.Empty)
            .Build();
    }

    /// <summary>One trigger per Quartz schedule: a crontab that needs two Quartz expressions gets two triggers.</summary>
    public static IReadOnlyList<ITrigger> Triggers(Deployment deployment, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var triggers = new List<ITrigger>();
        foreach (var schedule in deployment.Schedules)
        {
            if (schedule.Crontab is { } crontab)
            {
                foreach (var quartz in crontab.QuartzExpressions)
                {
                    triggers.Add(Trigger(deployment, triggers.Count, time)
                        .WithCronSchedule(quartz, c => Misfire(c.InTimeZone(schedule.Zone), deployment.Definition.CatchUp))
                        .Build());
                }
            }
            else
            {
                // Start on the anchor's grid so the slots are the same whenever, and by whichever node, the trigger is written.
                var first = schedule.FirstAtOrAfter(now)!.Value;
                triggers.Add(Trigger(deployment, triggers.Count, time)
                    .StartAt(first)
                    .WithCalendarIntervalSchedule(c => Misfire(c.WithInterval((int)schedule.Every.TotalSeconds, IntervalUnit.Second), deployment.Definition.CatchUp))
                    .Build());
            }
        }

        return triggers;
    }

    private static TriggerBuilder<IJob> Trigger(Deployment deployment, int index, TimeProvider time) =>
        TriggerBuilder.Create(time)
            .WithIdentity(JobData.TriggerKey(deployment.Name, index))
            .ForJob(JobData.JobKey(deployment.Name))
            .WithExecutionGroup(deployment.Definition.Queue)
            .WithOverlapPolicy(deployment.Definition.Overlap switch
            {
                DeploymentOverlap.Skip => Quartz.OverlapPolicy.Skip,
                DeploymentOverlap.Queue => Quartz.OverlapPolicy.BufferOne,
                DeploymentOverlap.CancelRunning => Quartz.OverlapPolicy.CancelPrevious,
                _ => Quartz.OverlapPolicy.AllowAll,
            });

    private static CronScheduleBuilder Misfire(CronScheduleBuilder builder, CatchUp catchUp) => builder.WithMisfireInstruction(catchUp switch
    {
        CatchUp.None => CronTriggerMisfireInstruction.DoNothing,
        // All included: one firing for a whole outage, which runs the missed slots (DeploymentJob), never one firing per missed slot.
        _ => CronTriggerMisfireInstruction.FireAndProceed,
    });

    private static CalendarIntervalScheduleBuilder Misfire(CalendarIntervalScheduleBuilder builder, CatchUp catchUp) => builder.WithMisfireInstruction(catchUp switch
    {
        CatchUp.None => CalendarIntervalTriggerMisfireInstruction.DoNothing,
        _ => CalendarIntervalTriggerMisfireInstruction.FireAndProceed,
    });
}

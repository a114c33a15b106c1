using Flows.Orchestration.Queueing;
using Microsoft.Extensions.Logging;
using Quartz;
using Quartz.Extensibility;

namespace Flows.Orchestration.Running;

/// <summary>Builds deployment and queued-run jobs on the host's engine: Quartz's own container is not the host's, so its jobs are made here.</summary>
internal sealed class DeploymentJobFactory(FlowEngine engine, RunningDeployments running, ILogger logger, TimeSpan misfireThreshold) : IJobFactory
{
    public ValueTask<JobScope> CreateJob(TriggerFiredBundle bundle, IScheduler scheduler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        var type = bundle.JobDetail.JobType.Type;
        IJob job = type == typeof(QueuedRunJob) ? new QueuedRunJob(engine, running, logger)
            : type == typeof(QueuedDeploymentJob) ? new QueuedDeploymentJob(engine, running, logger, misfireThreshold)
            : new DeploymentJob(engine, running, logger, misfireThreshold);
        return ValueTask.FromResult(new JobScope(job, null));
    }

    public ValueTask ReturnJob(JobScope scope, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}

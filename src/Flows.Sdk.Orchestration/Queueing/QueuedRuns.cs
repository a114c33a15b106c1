using Quartz;

namespace Flows.Orchestration.Queueing;

/// <summary>
/// How queued runs are laid out in the job store: one job per run, named by its run id, holding the flow, its
/// parameters and the queue; one one-shot trigger in the queue's execution group.
/// </summary>
internal static class QueuedRuns
{
    /// <summary>The group of every queued run's job and trigger.</summary>
    public const string Group = "flows-queued";

    /// <summary>The flow's name.</summary>
    public const string Flow = "flows.flow";

    /// <summary>The run's parameters, a JSON object (never a secret: a flow's secret parameters are refused when the run is queued).</summary>
    public const string Parameters = "flows.parameters";

    /// <summary>The queue's name.</summary>
    public const string Queue = "flows.queue";

    /// <summary>The deployment the run is of (<see cref="IFlowClient.RunDeploymentAsync"/>), or absent.</summary>
    public const string Deployment = "flows.deployment";

    /// <summary>The tag every queued run carries, naming its queue.</summary>
    public static string Tag(string queue) => $"queue:{queue}";

    public static JobKey JobKey(Guid runId) => new(runId.ToString("D"), Group);

    /// <summary>The run's first trigger; a trigger put back by a process that stopped before starting the run has a suffix of its own.</summary>
    public static TriggerKey TriggerKey(Guid runId, string? suffix = null) => new(suffix is null ? runId.ToString("D") : $"{runId:D}#{suffix}", Group);

    /// <summary>The run id of a queued run's job, or null for any other job.</summary>
    public static Guid? RunIdOf(JobKey key) =>
        string.Equals(key.Group, Group, StringComparison.Ordinal) && Guid.TryParseExact(key.Name, "D", out var id) ? id : null;

    /// <summary>A one-shot trigger that fires the run's job now in the queue's execution group; <paramref name="putBack"/> for another after the first.</summary>
    public static ITrigger Trigger(Guid runId, string queue, TimeProvider time, bool putBack = false) =>
        TriggerBuilder.Create(time)
            .WithIdentity(TriggerKey(runId, putBack ? Guid.NewGuid().ToString("N") : null))
            .ForJob(JobKey(runId))
            .WithExecutionGroup(QueueNames.ExecutionGroup(queue))
            .StartAt(time.GetUtcNow())
            .WithSimpleSchedule(s => s.WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow))
            .Build();
}

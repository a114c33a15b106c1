namespace Flows.Orchestration;

/// <summary>What a deployment's slot does when the run of an earlier slot of the same deployment is still going: set with <see cref="DeploymentBuilder.Overlap"/>.</summary>
public enum DeploymentOverlap
{
    /// <summary>The new slot's run starts beside the one still going, as cron and Quartz do by default. The default. A flow's own <c>MaxConcurrentRuns</c> still applies.</summary>
    Allow = 0,

    /// <summary>The new slot is dropped (no run is recorded for it) and the deployment moves on to its next slot. Quartz's <c>OverlapPolicy.Skip</c>.</summary>
    Skip = 1,

    /// <summary>
    /// The new slot waits for the running one to end and then runs; however many slots come due meanwhile, one is kept.
    /// Quartz's <c>OverlapPolicy.BufferOne</c> with concurrent execution of the deployment's job disallowed, so it holds
    /// across every node of a cluster.
    /// </summary>
    Queue = 2,

    /// <summary>
    /// The running one is cancelled (it ends <c>Cancelled</c>) and the new slot's run starts. Quartz's
    /// <c>OverlapPolicy.CancelPrevious</c>: a run on another node of a cluster cannot be cancelled from here, so there the
    /// new slot waits for it instead, as <see cref="Queue"/> does.
    /// </summary>
    CancelRunning = 3,
}

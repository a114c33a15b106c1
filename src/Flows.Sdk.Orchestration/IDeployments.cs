namespace Flows.Orchestration;

/// <summary>
/// Reads and steers the deployments in the job store while the application runs (a command line or a dashboard uses
/// it); registered by <see cref="Microsoft.Extensions.DependencyInjection.OrchestrationServiceCollectionExtensions.AddOrchestration"/>.
/// What it changes is stored, so it holds across restarts, reconciles and every node of a cluster.
/// </summary>
public interface IDeployments
{
    /// <summary>Every deployment in the job store, by name: flow, schedules, next slot, pause, and the code version that wrote it.</summary>
    Task<IReadOnlyList<DeploymentInfo>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Stops firing the deployment's slots until <see cref="ResumeAsync"/>, recording why and who asked. A run in progress
    /// goes on. <paramref name="reason"/> and <paramref name="requestedBy"/> are required (they are what a dashboard shows
    /// for the pause). Throws <see cref="ArgumentException"/> for an unknown deployment or a blank reason or requester.
    /// </summary>
    Task PauseAsync(string deployment, string reason, string requestedBy, CancellationToken cancellationToken = default);

    /// <summary>
    /// Fires the deployment's slots again, from the first slot after now: slots that came by while it was paused are not
    /// run (pausing means "do not run these"; its <see cref="CatchUp"/> policy is for slots missed while no host was
    /// running). Backfills requested for it go on. Throws <see cref="ArgumentException"/> for an unknown deployment.
    /// </summary>
    Task ResumeAsync(string deployment, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs every slot the deployment's schedules had in [<paramref name="from"/>, <paramref name="to"/>), now, each as
    /// the run of its slot: a slot that already has a run (from its schedule or an earlier backfill) gets no second one.
    /// <paramref name="to"/> may not be in the future; a window of more than 1,000 slots is refused whole.
    /// </summary>
    Task<BackfillResult> BackfillAsync(string deployment, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default);
}

using Flows.Orchestration.Hosting;
using Quartz;

namespace Flows.Orchestration.Cluster;

/// <summary>Quartz's listing of its cluster (<see cref="IScheduler.QueryClusterNodes"/>) in orchestration's own terms.</summary>
internal sealed class ClusterNodes(OrchestrationScheduler holder) : IClusterNodes
{
    public async Task<IReadOnlyList<ClusterNodeCheckIn>> ListAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var scheduler = await holder.GetAsync(cancellationToken).ConfigureAwait(false);
            var nodes = await scheduler.QueryClusterNodes(cancellationToken).ConfigureAwait(false);
            return [.. nodes.Select(n => new ClusterNodeCheckIn(n.InstanceId, n.LastCheckInUtc, n.CheckInInterval, Status(n.State), n.IsCurrentNode))];
        }
        catch (SchedulerException)
        {
            // Shut down, or the job store out of reach: there is no view to give now.
            return [];
        }
    }

    private static ClusterNodeStatus Status(ClusterNodeState state) => state switch
    {
        ClusterNodeState.Alive => ClusterNodeStatus.Alive,
        ClusterNodeState.Overdue => ClusterNodeStatus.Overdue,
        _ => ClusterNodeStatus.Failed,
    };
}

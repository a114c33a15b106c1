namespace Flows.Orchestration;

/// <summary>
/// The scheduler's own view of its cluster: the Quartz nodes sharing the job store, their last check-in and the verdict
/// Quartz's recovery acts on. Registered by
/// <see cref="Microsoft.Extensions.DependencyInjection.OrchestrationServiceCollectionExtensions.AddOrchestration"/>.
/// In a clustered PostgreSQL job store that follows the run store, a node's <see cref="ClusterNodeCheckIn.InstanceId"/>
/// is its run store owner id (<see cref="Stores.IRunOwners.OwnerId"/>), so the two listings join.
/// </summary>
public interface IClusterNodes
{
    /// <summary>
    /// The nodes the job store knows, this one first. A job store that is not clustered (SQLite, in memory) lists this
    /// node alone, without check-in times. Empty when the scheduler has shut down or its job store cannot be read now.
    /// </summary>
    Task<IReadOnlyList<ClusterNodeCheckIn>> ListAsync(CancellationToken cancellationToken = default);
}

/// <summary>One Quartz node as the job store knows it.</summary>
/// <param name="InstanceId">Its scheduler instance id.</param>
/// <param name="LastCheckIn">When it last checked in; null when the job store keeps no check-ins (not clustered).</param>
/// <param name="CheckInInterval">How often it undertook to check in; null likewise.</param>
/// <param name="Status">What the scheduler makes of its check-ins.</param>
/// <param name="IsCurrent">Whether it is this process's scheduler.</param>
public sealed record ClusterNodeCheckIn(string InstanceId, DateTimeOffset? LastCheckIn, TimeSpan? CheckInInterval, ClusterNodeStatus Status, bool IsCurrent);

/// <summary>A Quartz node's check-in verdict.</summary>
public enum ClusterNodeStatus
{
    /// <summary>Checked in on time.</summary>
    Alive = 0,

    /// <summary>Late, but not yet taken for failed.</summary>
    Overdue = 1,

    /// <summary>Taken for failed: the cluster takes its work over on its next check-in pass.</summary>
    Failed = 2,
}

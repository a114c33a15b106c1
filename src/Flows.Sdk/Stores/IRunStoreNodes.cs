namespace Flows.Stores;

/// <summary>
/// A capability of a run store: the processes (nodes) that use it, as the store knows them. On the SQL stores each store
/// instance is an owner (<see cref="IRunOwners"/>) with a heartbeat, so every process sharing the database is listed
/// with its last heartbeat, whether it is alive (judged on the database's clock), its flow runs in progress and what it
/// serves (<see cref="NodeDescription"/>, written by orchestration). The in-memory store lists its one process.
/// </summary>
public interface IRunStoreNodes
{
    /// <summary>
    /// The nodes registered on the store, this store's own first, then by machine and process. Each lists at most
    /// <paramref name="runsPerNode"/> of its flow runs in progress (Pending, Running, Retrying; newest first) and
    /// counts them all. A node whose heartbeat lapsed is listed <see cref="NodeHealth.Gone"/> until a sweep removes it
    /// (and marks its unfinished runs <see cref="Runs.RunState.Crashed"/>).
    /// </summary>
    /// <param name="runsPerNode">How many runs in progress to list per node (0 to 1000); the count covers them all.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<IReadOnlyList<StoreNode>> ListNodesAsync(int runsPerNode = 20, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records what this process serves, shown beside it by <see cref="ListNodesAsync"/> wherever the store is read.
    /// Written at once when the store is open (else when it registers), and again with every heartbeat, so a write that
    /// could not reach the database is made by the next one: this never fails for a database that is away.
    /// </summary>
    Task DescribeNodeAsync(NodeDescription description, CancellationToken cancellationToken = default);
}

namespace Flows.Stores;

/// <summary>
/// A capability of a run store shared by processes: each store instance is an <em>owner</em> that shows it is alive
/// with a heartbeat, and the unfinished runs of an owner whose heartbeat lapsed are marked
/// <see cref="Runs.RunState.Crashed"/>. The SQL stores (SQLite, PostgreSQL) offer it; the in-memory store does not.
/// Its owner heartbeat is the one notion of a live process: a scheduler that runs a cluster of processes (Quartz's
/// check-ins) follows <see cref="HeartbeatInterval"/> and <see cref="HeartbeatTimeout"/> and names its nodes by
/// <see cref="OwnerId"/>, and a crash it suspects is confirmed by <see cref="MarkCrashedRunsAsync"/> only.
/// </summary>
public interface IRunOwners
{
    /// <summary>The id under which this store instance writes runs and heartbeats; unique per instance.</summary>
    Guid OwnerId { get; }

    /// <summary>How often this store instance shows it is alive.</summary>
    TimeSpan HeartbeatInterval { get; }

    /// <summary>How long an owner may go without a heartbeat, on the database's clock, before its unfinished runs count as crashed.</summary>
    TimeSpan HeartbeatTimeout { get; }

    /// <summary>
    /// Sweeps now: removes the owners whose heartbeat lapsed and marks their unfinished runs (Pending, Running,
    /// Retrying) <see cref="Runs.RunState.Crashed"/>, naming the owner found gone; returns how many runs it marked.
    /// A store that has not itself beaten without a failure for at least <see cref="HeartbeatTimeout"/> (it just opened,
    /// or the database was out of its reach) judges no lapse yet: after an outage every owner gets the chance to beat
    /// again before any is taken for gone. Runs of owners that are certainly gone (unregistered, or on SQLite a
    /// process of this machine that no longer exists) are marked at once.
    /// </summary>
    Task<int> MarkCrashedRunsAsync(CancellationToken cancellationToken = default);
}

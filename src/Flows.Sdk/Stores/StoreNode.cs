using Flows.Runs;

namespace Flows.Stores;

/// <summary>A process using the run store, as <see cref="IRunStoreNodes.ListNodesAsync"/> finds it.</summary>
public sealed record StoreNode
{
    /// <summary>Its store owner id (<see cref="IRunOwners.OwnerId"/>): the id its runs carry and, in a Quartz cluster, its instance id.</summary>
    public required Guid Id { get; init; }

    /// <summary>The machine it runs on.</summary>
    public required string Machine { get; init; }

    /// <summary>Its process id on that machine.</summary>
    public required int ProcessId { get; init; }

    /// <summary>When its process started, when known.</summary>
    public DateTimeOffset? ProcessStartedAt { get; init; }

    /// <summary>When its store registered (on the database's clock).</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>Its last heartbeat (on the database's clock).</summary>
    public required DateTimeOffset LastHeartbeat { get; init; }

    /// <summary>How long ago it last beat, on the database's clock.</summary>
    public required TimeSpan SinceHeartbeat { get; init; }

    /// <summary>Alive, overdue or gone, judged on the database's clock.</summary>
    public required NodeHealth Health { get; init; }

    /// <summary>Whether its heartbeat is within the timeout: its runs in progress are really in progress.</summary>
    public bool IsAlive => Health != NodeHealth.Gone;

    /// <summary>Whether it is the store instance that listed it (this process).</summary>
    public bool IsCurrent { get; init; }

    /// <summary>What it serves as it described itself; null when it did not (a process without orchestration).</summary>
    public NodeDescription? Description { get; init; }

    /// <summary>How many flow runs it has in progress (Pending, Running, Retrying).</summary>
    public int RunsInProgress { get; init; }

    /// <summary>Its flow runs in progress, newest first, at most as many as were asked for.</summary>
    public IReadOnlyList<NodeRun> Runs { get; init; } = [];
}

/// <summary>A flow run in progress on a node.</summary>
/// <param name="Id">The run's id.</param>
/// <param name="Name">The flow's name.</param>
/// <param name="State">Pending, Running or Retrying.</param>
/// <param name="StartedAt">When it started, if it has.</param>
/// <param name="Deployment">The deployment that started it, if any.</param>
public sealed record NodeRun(Guid Id, string Name, RunState State, DateTimeOffset? StartedAt, string? Deployment);

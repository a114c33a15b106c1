namespace Flows.Stores;

/// <summary>
/// What a node sharing a run store serves, as it describes itself (<see cref="IRunStoreNodes.DescribeNodeAsync"/>):
/// orchestration writes its options here. Stored as JSON beside the node's heartbeat; fields a later version adds are
/// ignored by an earlier one.
/// </summary>
public sealed record NodeDescription
{
    /// <summary>Whether the node runs flows from orchestration (deployment slots and queued runs).</summary>
    public bool Works { get; init; }

    /// <summary>Whether the node keeps the deployments its code declares reconciled with the job store.</summary>
    public bool Schedules { get; init; }

    /// <summary>The queues it serves when it <see cref="Works"/>; empty: every queue (but <see cref="RefusedQueues"/>).</summary>
    public IReadOnlyList<string> Queues { get; init; } = [];

    /// <summary>The queues it never serves.</summary>
    public IReadOnlyList<string> RefusedQueues { get; init; } = [];

    /// <summary>How many runs it runs at once, when it <see cref="Works"/>.</summary>
    public int? MaxConcurrentRuns { get; init; }

    /// <summary>The application it belongs to (orchestration's application name).</summary>
    public string? Application { get; init; }

    /// <summary>The version of the code it runs.</summary>
    public string? Version { get; init; }

    /// <summary>Equal when every field is, the lists compared item by item.</summary>
    public bool Equals(NodeDescription? other) =>
        other is not null
        && Works == other.Works
        && Schedules == other.Schedules
        && Queues.SequenceEqual(other.Queues)
        && RefusedQueues.SequenceEqual(other.RefusedQueues)
        && MaxConcurrentRuns == other.MaxConcurrentRuns
        && Application == other.Application
        && Version == other.Version;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Works, Schedules, Queues.Count, RefusedQueues.Count, MaxConcurrentRuns, Application, Version);
}

namespace Flows.Stores;

/// <summary>How a node's heartbeat looks on the database's clock.</summary>
public enum NodeHealth
{
    /// <summary>It beat within its interval (and half as much again).</summary>
    Alive = 0,

    /// <summary>It missed a heartbeat, but not for the heartbeat timeout yet: paused, busy, or cut off for a moment.</summary>
    Overdue = 1,

    /// <summary>Silent for longer than the heartbeat timeout (or, on SQLite, its process no longer exists): its unfinished runs count as crashed.</summary>
    Gone = 2,
}

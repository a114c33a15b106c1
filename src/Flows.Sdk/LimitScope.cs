using Flows.Stores;

namespace Flows;

/// <summary>
/// Where tag limits, rate limits and flows' <c>MaxConcurrentRuns</c> are counted: across every process on the run
/// store, or in this process only. Configuration: <c>Flows:LimitScope</c> (<c>Store</c> or <c>Process</c>).
/// </summary>
public enum LimitScope
{
    /// <summary>
    /// Shared by every process on the run store when the store supports it (<see cref="ISharedLimits"/>: the
    /// PostgreSQL store); in this process only otherwise (SQLite, in memory). The default.
    /// </summary>
    Store = 0,

    /// <summary>In this process only, whatever the store: each replica enforces the whole limit on its own.</summary>
    Process = 1,
}

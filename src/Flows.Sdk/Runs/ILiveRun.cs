namespace Flows.Runs;

/// <summary>
/// A run in progress whose record is read from the run itself: the in-memory store keeps these instead of
/// snapshots, so recording a state costs the run nothing and every query sees the run as it is now.
/// </summary>
internal interface ILiveRun
{
    /// <summary>The run's id.</summary>
    Guid Id { get; }

    /// <summary>The run's record as it is now.</summary>
    RunRecord Snapshot();

    /// <summary>The run's transitions so far, in order.</summary>
    IReadOnlyList<StateTransition> Transitions();
}

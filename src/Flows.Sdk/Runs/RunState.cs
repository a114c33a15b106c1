namespace Flows.Runs;

/// <summary>The states a flow run or task run moves through. Every transition is recorded.</summary>
public enum RunState
{
    /// <summary>
    /// Created ahead of its start, for a slot of a schedule or by <see cref="FlowEngine.TryScheduleRunAsync"/>: it
    /// records the slot it is for (<see cref="RunRecord.ScheduledFor"/>) and waits to be started, when it moves to
    /// <see cref="Pending"/> (or first to <see cref="Late"/>).
    /// </summary>
    Scheduled = 0,

    /// <summary>Created, not yet started.</summary>
    Pending = 1,

    /// <summary>An attempt is executing.</summary>
    Running = 2,

    /// <summary>An attempt failed and the next one waits for its delay.</summary>
    Retrying = 3,

    /// <summary>Finished successfully.</summary>
    Completed = 4,

    /// <summary>Finished with a result taken from the cache.</summary>
    Cached = 5,

    /// <summary>Finished with an exception after its last attempt.</summary>
    Failed = 6,

    /// <summary>Its timeout elapsed.</summary>
    TimedOut = 7,

    /// <summary>Cancelled by its caller, its parent or shutdown.</summary>
    Cancelled = 8,

    /// <summary>Its process or worker disappeared while it ran.</summary>
    Crashed = 9,

    /// <summary>
    /// A scheduled run that started more than its deployment's threshold after its slot; its transition says by how
    /// much. Not final: the run goes on to <see cref="Pending"/> and <see cref="Running"/> like any other.
    /// </summary>
    Late = 10,
}

/// <summary>Helpers over <see cref="RunState"/>.</summary>
public static class RunStateExtensions
{
    /// <summary>
    /// True for states a run ends in. A run never leaves them, with one exception: a run a peer process wrongly marked
    /// <see cref="RunState.Crashed"/> while its own process was alive is put back by that process, and says so in its transitions.
    /// </summary>
    public static bool IsFinal(this RunState state) => state is >= RunState.Completed and <= RunState.Crashed;

    /// <summary>True for final states that count as success.</summary>
    public static bool IsSuccess(this RunState state) => state is RunState.Completed or RunState.Cached;
}

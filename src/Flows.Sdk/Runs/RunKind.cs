namespace Flows.Runs;

/// <summary>Whether a run is a flow run or a task run.</summary>
public enum RunKind
{
    /// <summary>A run of a <see cref="FlowAttribute"/> method.</summary>
    Flow = 0,

    /// <summary>A run of a <see cref="TaskAttribute"/> method.</summary>
    Task = 1,
}

namespace Flows.Orchestration;

/// <summary>
/// <see cref="RunControl"/> refused to cancel or retry a run: the message says why in words a person can act on;
/// <see cref="Refusal"/> says it for code (a command line or a page adding its own hint).
/// </summary>
public sealed class RunControlException : InvalidOperationException
{
    /// <summary>A refusal with its message.</summary>
    public RunControlException(RunControlRefusal refusal, Guid runId, string message, string? parameter = null)
        : base(message)
    {
        Refusal = refusal;
        RunId = runId;
        Parameter = parameter;
    }

    /// <summary>Why the run was refused.</summary>
    public RunControlRefusal Refusal { get; }

    /// <summary>The run asked about.</summary>
    public Guid RunId { get; }

    /// <summary>The parameter at fault, for <see cref="RunControlRefusal.MaskedParameter"/>; else null.</summary>
    public string? Parameter { get; }
}

/// <summary>Why <see cref="RunControl"/> refused a run.</summary>
public enum RunControlRefusal
{
    /// <summary>No run has that id in the store.</summary>
    UnknownRun = 0,

    /// <summary>The run is a task run: cancel or retry the flow run it belongs to.</summary>
    NotAFlowRun = 1,

    /// <summary>A retry of a run that has not ended.</summary>
    NotEnded = 2,

    /// <summary>A retry of a flow this process's code does not declare (renamed or removed).</summary>
    FlowNotLoaded = 3,

    /// <summary>A retry whose recorded parameter has a secret masked inside it, so cannot be given back as it was.</summary>
    MaskedParameter = 4,

    /// <summary>The store cannot keep cancel requests and orchestration did not reach the run.</summary>
    CannotCancel = 5,
}

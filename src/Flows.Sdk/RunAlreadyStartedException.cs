using Flows.Runs;

namespace Flows;

/// <summary>
/// A run given by id (<see cref="RunStart.RunId"/>) was not run because it is no longer Scheduled or Late: it has
/// started already, in this process or another (two processes raced to start it and the other won the claim), or it
/// has ended. Nothing was run. It is an <see cref="InvalidOperationException"/>, which is what callers catch.
/// </summary>
public sealed class RunAlreadyStartedException : InvalidOperationException
{
    /// <summary>Creates the exception for run <paramref name="runId"/> of flow <paramref name="flowName"/>, found in <paramref name="state"/>.</summary>
    public RunAlreadyStartedException(Guid runId, string flowName, RunState state)
        : base($"Run {runId} of flow '{flowName}' is {state}, not Scheduled or Late: it has been started already, so it is not run again.")
    {
        RunId = runId;
        FlowName = flowName;
        State = state;
    }

    /// <summary>The run's id.</summary>
    public Guid RunId { get; }

    /// <summary>The flow's name.</summary>
    public string FlowName { get; }

    /// <summary>The state the run was found in.</summary>
    public RunState State { get; }
}

using Flows.Engine;
using Flows.Runs;

namespace Flows.Recording;

/// <summary>Decides the final state of a run that ended with an exception.</summary>
internal static class RunOutcome
{
    /// <summary>
    /// <list type="bullet">
    /// <item><see cref="RunState.Crashed"/>: the run's engine shut down under it (its token fired because the engine
    /// was disposed or its host stopped), or the process itself failed (out of memory or stack). Neither says anything
    /// about the run's own code. A process that dies outright is detected by the stores, not here.</item>
    /// <item><see cref="RunState.Cancelled"/>: its caller or parent cancelled it, a flow's overlap policy turned it
    /// away, or the process was told to stop (Ctrl+C, SIGTERM: see <see cref="FlowEngine.Interrupt"/>).</item>
    /// <item><see cref="RunState.TimedOut"/> and <see cref="RunState.Failed"/>: everything else.</item>
    /// </list>
    /// </summary>
    public static RunState StateOf(RunContext run, Exception error) => error switch
    {
        OutOfMemoryException or InsufficientExecutionStackException => RunState.Crashed,
        OperationCanceledException when run.Token.IsCancellationRequested && run.Engine.IsShutDown && run.Engine.InterruptedBy is null => RunState.Crashed,
        OperationCanceledException when run.Token.IsCancellationRequested => RunState.Cancelled,
        FlowRunRejectedException => RunState.Cancelled,
        RunTimeoutException => RunState.TimedOut,
        _ => RunState.Failed,
    };

    /// <summary>The signal that cancelled the run (it ended because its engine was interrupted), or null.</summary>
    public static string? InterruptionOf(RunContext run, Exception error) =>
        error is OperationCanceledException && run.Token.IsCancellationRequested ? run.Engine.InterruptedBy : null;
}

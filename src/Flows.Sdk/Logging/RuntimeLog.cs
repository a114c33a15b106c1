using Microsoft.Extensions.Logging;

namespace Flows.Logging;

/// <summary>The runtime's own log lines.</summary>
internal static partial class RuntimeLog
{
    [LoggerMessage(1, LogLevel.Information, "{Label} started run {RunId}")]
    public static partial void FlowRunStarted(ILogger logger, string label, Guid runId);

    [LoggerMessage(2, LogLevel.Information, "{Label} finished in state {State} after {DurationMs:0.#} ms")]
    public static partial void FlowRunFinished(ILogger logger, string label, RunState state, double durationMs);

    [LoggerMessage(3, LogLevel.Debug, "{Label} started run {RunId}")]
    public static partial void TaskRunStarted(ILogger logger, string label, Guid runId);

    [LoggerMessage(4, LogLevel.Debug, "{Label} finished in state {State} after {DurationMs:0.#} ms")]
    public static partial void TaskRunFinished(ILogger logger, string label, RunState state, double durationMs);

    // The exception's stack goes with the final failure only; a retried attempt logs its message.
    [LoggerMessage(5, LogLevel.Warning, "{Label} attempt {Attempt} failed ({Error}); retrying in {DelaySeconds:0.###} s")]
    public static partial void AttemptFailed(ILogger logger, string label, int attempt, string error, double delaySeconds);

    [LoggerMessage(6, LogLevel.Error, "{Label} finished in state {State} after {Attempt} attempt(s): {Error}")]
    public static partial void RunFailed(ILogger logger, string label, RunState state, int attempt, string error, Exception exception);

    [LoggerMessage(7, LogLevel.Error, "{Label}: hook {Hook} failed; the run's state is unchanged")]
    public static partial void HookFailed(ILogger logger, string label, string hook, Exception exception);
}

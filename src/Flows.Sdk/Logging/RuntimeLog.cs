using Flows.Runs;
using Microsoft.Extensions.Logging;

namespace Flows.Logging;

/// <summary>The runtime's own log lines.</summary>
internal static partial class RuntimeLog
{
    [LoggerMessage(LogEventIds.FlowRunStarted, LogLevel.Information, "{Label} started run {RunId}", EventName = nameof(LogEventIds.FlowRunStarted))]
    public static partial void FlowRunStarted(ILogger logger, string label, Guid runId);

    [LoggerMessage(LogEventIds.FlowRunFinished, LogLevel.Information, "{Label} finished in state {State} after {DurationMs:0.#} ms", EventName = nameof(LogEventIds.FlowRunFinished))]
    public static partial void FlowRunFinished(ILogger logger, string label, RunState state, double durationMs);

    [LoggerMessage(LogEventIds.TaskRunStarted, LogLevel.Debug, "{Label} started run {RunId}", EventName = nameof(LogEventIds.TaskRunStarted))]
    public static partial void TaskRunStarted(ILogger logger, string label, Guid runId);

    [LoggerMessage(LogEventIds.TaskRunFinished, LogLevel.Debug, "{Label} finished in state {State} after {DurationMs:0.#} ms", EventName = nameof(LogEventIds.TaskRunFinished))]
    public static partial void TaskRunFinished(ILogger logger, string label, RunState state, double durationMs);

    // The exception's stack goes with the final failure only; a retried attempt logs its message.
    [LoggerMessage(LogEventIds.AttemptFailed, LogLevel.Warning, "{Label} attempt {Attempt} failed ({Error}); retrying in {DelaySeconds:0.###} s", EventName = nameof(LogEventIds.AttemptFailed))]
    public static partial void AttemptFailed(ILogger logger, string label, int attempt, string error, double delaySeconds);

    [LoggerMessage(LogEventIds.RunFailed, LogLevel.Error, "{Label} finished in state {State} after {Attempt} attempt(s): {Error}", EventName = nameof(LogEventIds.RunFailed))]
    public static partial void RunFailed(ILogger logger, string label, RunState state, int attempt, string error, Exception exception);

    [LoggerMessage(LogEventIds.HookFailed, LogLevel.Error, "{Label}: hook {Hook} failed; the run's state is unchanged", EventName = nameof(LogEventIds.HookFailed))]
    public static partial void HookFailed(ILogger logger, string label, string hook, Exception exception);

    [LoggerMessage(LogEventIds.CrashedRunRetried, LogLevel.Warning, "Flow '{Flow}' run {RunId} crashed and is retried here: attempt {Attempt} of {Attempts}, after a delay of {DelaySeconds:0.###} s from the crash", EventName = nameof(LogEventIds.CrashedRunRetried))]
    public static partial void CrashedRunRetried(ILogger logger, string flow, Guid runId, int attempt, int attempts, double delaySeconds);

    [LoggerMessage(LogEventIds.ScheduledRunCancelled, LogLevel.Information, "Run {RunId} was cancelled before it started: {Message}", EventName = nameof(LogEventIds.ScheduledRunCancelled))]
    public static partial void ScheduledRunCancelled(ILogger logger, Guid runId, string message);

    [LoggerMessage(LogEventIds.CancelRequested, LogLevel.Information, "Run {RunId} is cancelled: a cancel request was made through the run store ({Reason})", EventName = nameof(LogEventIds.CancelRequested))]
    public static partial void CancelRequested(ILogger logger, Guid runId, string reason);

    [LoggerMessage(LogEventIds.CancelRequestsUnreadable, LogLevel.Warning, "Cancel requests for this process's runs cannot be read from the run store ({Error}); it keeps asking every second", EventName = nameof(LogEventIds.CancelRequestsUnreadable))]
    public static partial void CancelRequestsUnreadable(ILogger logger, string error);

    [LoggerMessage(LogEventIds.RetentionPruned, LogLevel.Information, "Retention pruned runs that ended before {Cutoff:O}: {FlowRuns} flow run(s), {Runs} run(s) in all, {LogLines} log line(s), {Artifacts} artifact(s), {CacheEntries} expired cache entr(y/ies)", EventName = nameof(LogEventIds.RetentionPruned))]
    public static partial void RetentionPruned(ILogger logger, DateTimeOffset cutoff, int flowRuns, int runs, int logLines, int artifacts, int cacheEntries);

    [LoggerMessage(LogEventIds.RetentionFailed, LogLevel.Warning, "Retention could not prune the run store ({ErrorType}: {Error}); it tries again in an hour", EventName = nameof(LogEventIds.RetentionFailed))]
    public static partial void RetentionFailed(ILogger logger, string errorType, string error);
}

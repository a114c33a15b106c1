using Flows.Orchestration;
using Microsoft.Extensions.Logging;
using static Flows.Dashboard.Logging.DashboardEventIds;

namespace Flows.Dashboard.Logging;

/// <summary>
/// What the dashboard logs: the actions taken from it, with who took them (ids on <see cref="DashboardEventIds"/>,
/// documented in docs/log-events.md). What it reads it does not log.
/// </summary>
internal static partial class DashboardLog
{
    /// <summary>The category the dashboard logs under.</summary>
    public const string Category = "Flows.Dashboard";

    [LoggerMessage(RunCancelAsked, LogLevel.Information, "Cancel of run {RunId} asked from the dashboard by {Requester}: {Outcome}", EventName = nameof(RunCancelAsked))]
    public static partial void CancelAsked(this ILogger logger, Guid runId, string requester, RunCancelOutcome outcome);

    [LoggerMessage(RunRetryAsked, LogLevel.Information, "Retry of run {RunId} asked from the dashboard by {Requester}: new run {NewRunId}", EventName = nameof(RunRetryAsked))]
    public static partial void RetryAsked(this ILogger logger, Guid runId, string requester, Guid newRunId);

    [LoggerMessage(DeploymentPauseAsked, LogLevel.Information, "Deployment {Deployment} paused from the dashboard by {Requester}: {Reason}", EventName = nameof(DeploymentPauseAsked))]
    public static partial void Paused(this ILogger logger, string deployment, string requester, string reason);

    [LoggerMessage(DeploymentResumeAsked, LogLevel.Information, "Deployment {Deployment} resumed from the dashboard by {Requester}", EventName = nameof(DeploymentResumeAsked))]
    public static partial void Resumed(this ILogger logger, string deployment, string requester);

    [LoggerMessage(DeploymentRunAsked, LogLevel.Information, "Deployment {Deployment} run now from the dashboard by {Requester}: run {RunId} queued with {Given} parameter(s) given", EventName = nameof(DeploymentRunAsked))]
    public static partial void RunQueued(this ILogger logger, string deployment, string requester, Guid runId, int given);

    [LoggerMessage(DeploymentRunRefused, LogLevel.Information, "Deployment {Deployment} run now from the dashboard by {Requester} refused: {Problems} parameter(s) not accepted ({Parameters})", EventName = nameof(DeploymentRunRefused))]
    public static partial void RunRefused(this ILogger logger, string deployment, string requester, int problems, string parameters);
}

using Microsoft.Extensions.Logging;
using static Flows.Dashboard.Logging.DashboardEventIds;

namespace Flows.Dashboard.Pages.Deployments;

/// <summary>What the deployments pages log: every action taken from them (event ids 6200-6299, docs/log-events.md).</summary>
internal static partial class DeploymentsLog
{
    /// <summary>The category the dashboard's deployment actions log under.</summary>
    public const string Category = "Flows.Dashboard";

    [LoggerMessage(DeploymentPauseAsked, LogLevel.Information, "Deployment {Deployment} paused from the dashboard by {Requester}: {Reason}", EventName = nameof(DeploymentPauseAsked))]
    public static partial void Paused(this ILogger logger, string deployment, string requester, string reason);

    [LoggerMessage(DeploymentResumeAsked, LogLevel.Information, "Deployment {Deployment} resumed from the dashboard by {Requester}", EventName = nameof(DeploymentResumeAsked))]
    public static partial void Resumed(this ILogger logger, string deployment, string requester);

    [LoggerMessage(DeploymentRunAsked, LogLevel.Information, "Deployment {Deployment} run now from the dashboard by {Requester}: run {RunId} queued with {Given} parameter(s) given", EventName = nameof(DeploymentRunAsked))]
    public static partial void RunQueued(this ILogger logger, string deployment, string requester, Guid runId, int given);

    [LoggerMessage(DeploymentRunRefused, LogLevel.Information, "Deployment {Deployment} run now from the dashboard by {Requester} refused: {Problems} parameter(s) not accepted ({Parameters})", EventName = nameof(DeploymentRunRefused))]
    public static partial void RunRefused(this ILogger logger, string deployment, string requester, int problems, string parameters);
}

using Microsoft.Extensions.Logging;

namespace Flows.Dashboard.Pages.Deployments;

/// <summary>What the deployments pages log: every action taken from them (event ids 6200-6299, docs/dashboard-deployments.md).</summary>
internal static partial class DeploymentsLog
{
    /// <summary>The category the dashboard's deployment actions log under.</summary>
    public const string Category = "Flows.Dashboard";

    [LoggerMessage(6200, LogLevel.Information, "Deployment {Deployment} paused from the dashboard by {Requester}: {Reason}", EventName = "DashboardDeploymentPaused")]
    public static partial void Paused(this ILogger logger, string deployment, string requester, string reason);

    [LoggerMessage(6201, LogLevel.Information, "Deployment {Deployment} resumed from the dashboard by {Requester}", EventName = "DashboardDeploymentResumed")]
    public static partial void Resumed(this ILogger logger, string deployment, string requester);

    [LoggerMessage(6202, LogLevel.Information, "Deployment {Deployment} run now from the dashboard by {Requester}: run {RunId} queued with {Given} parameter(s) given", EventName = "DashboardDeploymentRunQueued")]
    public static partial void RunQueued(this ILogger logger, string deployment, string requester, Guid runId, int given);

    [LoggerMessage(6203, LogLevel.Information, "Deployment {Deployment} run now from the dashboard by {Requester} refused: {Problems} parameter(s) not accepted ({Parameters})", EventName = "DashboardDeploymentRunRefused")]
    public static partial void RunRefused(this ILogger logger, string deployment, string requester, int problems, string parameters);
}

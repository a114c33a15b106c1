using Flows.Orchestration;
using static Flows.Dashboard.Logging.DashboardEventIds;
using Microsoft.Extensions.Logging;

namespace Flows.Dashboard.Pages.Run;

/// <summary>What a run's page logs (event ids 6100–6199): the actions taken from it, and by whom.</summary>
internal static partial class RunPageLog
{
    public const string Category = "Flows.Dashboard";

    [LoggerMessage(RunCancelAsked, LogLevel.Information, "Cancel of run {RunId} asked from the dashboard by {Requester}: {Outcome}", EventName = nameof(RunCancelAsked))]
    public static partial void CancelAsked(this ILogger logger, Guid runId, string requester, RunCancelOutcome outcome);

    [LoggerMessage(RunRetryAsked, LogLevel.Information, "Retry of run {RunId} asked from the dashboard by {Requester}: new run {NewRunId}", EventName = nameof(RunRetryAsked))]
    public static partial void RetryAsked(this ILogger logger, Guid runId, string requester, Guid newRunId);
}

namespace Flows.Dashboard.Logging;

/// <summary>
/// Every event id this package logs with (range 6000–6999), one constant per log line; the constant's name is the
/// event's name. docs/log-events.md documents each one. An id is never changed or reused once released. The dashboard
/// logs the actions taken from it, with who took them; what it reads it does not log.
/// </summary>
internal static class DashboardEventIds
{
    public const int RunCancelAsked = 6100;
    public const int RunRetryAsked = 6101;
    public const int DeploymentPauseAsked = 6200;
    public const int DeploymentResumeAsked = 6201;
    public const int DeploymentRunAsked = 6202;
    public const int DeploymentRunRefused = 6203;
}

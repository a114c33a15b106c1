using Flows.Logging;
using Microsoft.Extensions.Logging;

namespace Flows.Limits;

/// <summary>The runtime's log lines about limits. Debug: a busy limit produces one pair per waiting attempt.</summary>
internal static partial class ConcurrencyLog
{
    [LoggerMessage(LogEventIds.LimitWaiting, LogLevel.Debug, "{Label} waits for {Limit}", EventName = nameof(LogEventIds.LimitWaiting))]
    public static partial void Waiting(ILogger logger, string label, string limit);

    [LoggerMessage(LogEventIds.LimitAdmitted, LogLevel.Debug, "{Label} starts after waiting {WaitSeconds:0.###} s for its limits", EventName = nameof(LogEventIds.LimitAdmitted))]
    public static partial void Admitted(ILogger logger, string label, double waitSeconds);
}

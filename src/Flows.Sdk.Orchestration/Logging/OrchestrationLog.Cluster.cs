using Microsoft.Extensions.Logging;
using static Flows.Orchestration.Logging.OrchestrationEventIds;

namespace Flows.Orchestration.Logging;

/// <summary>The lines of the cluster signals (<see cref="Cluster.ClusterSignals"/>): the wake-up and cancel channel over PostgreSQL.</summary>
internal static partial class OrchestrationLog
{
    [LoggerMessage(ClusterSignalsListening, LogLevel.Information, "Listening for cluster signals on PostgreSQL: queued work wakes this scheduler at once, cancellations arrive without waiting for a check-in", EventName = nameof(ClusterSignalsListening))]
    public static partial void SignalsListening(this ILogger logger);

    [LoggerMessage(ClusterSignalsLost, LogLevel.Warning, "Cluster signals lost their PostgreSQL connection ({Reason}); reconnecting with backoff up to {MaxBackoff}. Meanwhile queued runs start after the scheduler's idle wait and cancellations arrive with the next check-in", EventName = nameof(ClusterSignalsLost))]
    public static partial void SignalsLost(this ILogger logger, string reason, TimeSpan maxBackoff);

    [LoggerMessage(ClusterSignalsRestored, LogLevel.Information, "Cluster signals reconnected to PostgreSQL after {Outage}", EventName = nameof(ClusterSignalsRestored))]
    public static partial void SignalsRestored(this ILogger logger, TimeSpan outage);

    [LoggerMessage(ClusterSignalNotSent, LogLevel.Warning, "A cluster {Signal} signal could not be sent ({Reason}): the request is recorded and is taken on the next acquisition or check-in instead", EventName = nameof(ClusterSignalNotSent))]
    public static partial void SignalNotSent(this ILogger logger, string signal, string reason);

    [LoggerMessage(ClusterCancelSignalFailed, LogLevel.Error, "Handling the cancel signal of run {RunId} failed", EventName = nameof(ClusterCancelSignalFailed))]
    public static partial void CancelSignalFailed(this ILogger logger, Exception exception, Guid runId);

    [LoggerMessage(ClusterWakeFailed, LogLevel.Debug, "Waking the scheduler thread failed ({Reason}); it acquires on its own after its idle wait", EventName = nameof(ClusterWakeFailed))]
    public static partial void WakeFailed(this ILogger logger, string reason);
}

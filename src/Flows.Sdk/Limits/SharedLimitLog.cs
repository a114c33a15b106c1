using Flows.Logging;
using Microsoft.Extensions.Logging;

namespace Flows.Limits;

/// <summary>The runtime's log lines about limits shared through the run store.</summary>
internal static partial class SharedLimitLog
{
    [LoggerMessage(LogEventIds.SharedLimitStoreUnreachable, LogLevel.Warning, "{Label} waits for {Limit}, but the run store cannot be reached ({Error}); trying again until it can, or until the run is cancelled", EventName = nameof(LogEventIds.SharedLimitStoreUnreachable))]
    public static partial void StoreUnreachable(ILogger logger, string label, string limit, string error);

    [LoggerMessage(LogEventIds.SharedLimitStoreBack, LogLevel.Information, "{Label} reaches the run store again for {Limit} after {OutageSeconds:0.###} s", EventName = nameof(LogEventIds.SharedLimitStoreBack))]
    public static partial void StoreBack(ILogger logger, string label, string limit, double outageSeconds);

    [LoggerMessage(LogEventIds.SharedSlotReleaseRetried, LogLevel.Warning, "Giving back {Limit} failed: the run store cannot be reached ({Error}); trying again", EventName = nameof(LogEventIds.SharedSlotReleaseRetried))]
    public static partial void ReleaseRetried(ILogger logger, string limit, string error);

    [LoggerMessage(LogEventIds.SharedSlotReleaseAbandoned, LogLevel.Warning, "Gave up giving back {Limit} ({Error}): the slot comes back once this process's store owner is found gone", EventName = nameof(LogEventIds.SharedSlotReleaseAbandoned))]
    public static partial void ReleaseAbandoned(ILogger logger, string limit, string error);
}

namespace Flows.Logging;

/// <summary>
/// Every event id this package logs with, one constant per log line; the constant's name is the event's name
/// (<c>EventName = nameof(...)</c> on each <c>[LoggerMessage]</c>). docs/log-events.md documents each one. An id
/// is never changed or reused once released: dashboards and alerts filter on it.
/// </summary>
/// <remarks>
/// Ranges: 1–99 a run's life; 100–119 the run store as the recorder sees it; 120–139 the task cache; 140–159
/// concurrency limits; 200–219 captured console output; 1900–1949 runs taken up or ended by another process (crash
/// retries, cancels of runs not started); 1950–1999 limits shared through the run store. Other packages keep their own
/// list in their own range:
/// Flows.Sdk.PostgreSql 2000–2999 (logs nothing yet), Flows.Sdk.Redshift 3000–3999 (<c>RedshiftEventIds</c>).
/// A test fails on a duplicate id, an id outside its range, and a log line whose id is not on the list.
/// </remarks>
internal static class LogEventIds
{
    // 1–99: a run's life, on the run's logger (Flows.Flow.<name>, Flows.Task.<name>).
    public const int FlowRunStarted = 1;
    public const int FlowRunFinished = 2;
    public const int TaskRunStarted = 3;
    public const int TaskRunFinished = 4;
    public const int AttemptFailed = 5;
    public const int RunFailed = 6;
    public const int HookFailed = 7;

    // 100–119: the run store, on Flows.Runtime.
    public const int StoreWriteDropped = 100;
    public const int StoreStillUnreachable = 101;
    public const int StoreOutageBegan = 110;
    public const int StoreBack = 111;
    public const int StoreUnavailable = 112;
    public const int StoreWritesLost = 113;
    public const int StoreRefusesEverything = 114;

    // 120–139: the task cache, on the run's logger.
    public const int CacheResultNotSerializable = 120;
    public const int CacheUnreachable = 121;
    public const int CacheResultShowsSecret = 122;

    // 140–159: concurrency limits, on the run's logger.
    public const int LimitWaiting = 140;
    public const int LimitAdmitted = 141;

    // 1950–1999: limits shared through the run store (tag and rate limits, MaxConcurrentRuns across processes).
    public const int SharedLimitStoreUnreachable = 1950;
    public const int SharedLimitStoreBack = 1951;
    public const int SharedSlotReleaseRetried = 1952;
    public const int SharedSlotReleaseAbandoned = 1953;

    // 200–219: console output captured with LogPrints, on the run's logger.
    public const int PrintedLine = 201;

    // 1900–1949: runs taken up or ended by another process than the one that created them, on Flows.Runtime.
    public const int CrashedRunRetried = 1900;
    public const int ScheduledRunCancelled = 1901;

    // 1960–1989: big histories: cancel requests made through the store, and automatic retention, on Flows.Runtime.
    public const int CancelRequested = 1960;
    public const int CancelRequestsUnreadable = 1961;
    public const int RetentionPruned = 1962;
    public const int RetentionFailed = 1963;
}

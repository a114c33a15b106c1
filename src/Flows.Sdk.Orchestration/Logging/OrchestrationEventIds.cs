namespace Flows.Orchestration.Logging;

/// <summary>
/// Every event id this package logs with (range 4000–4999), one constant per log line; the constant's name is the
/// event's name. docs/log-events.md documents each one. An id is never changed or reused once released.
/// </summary>
internal static class OrchestrationEventIds
{
    public const int DeploymentsReconciled = 4001;
    public const int DeploymentCreated = 4002;
    public const int DeploymentUpdated = 4003;
    public const int DeploymentDeleted = 4004;
    public const int DeploymentUnchanged = 4005;
    public const int DeploymentKeptNewer = 4006;
    public const int SlotFired = 4010;
    public const int DuplicateSlotSkipped = 4011;
    public const int SlotLate = 4012;
    public const int CatchUpSlotsDropped = 4013;
    public const int OverlapSlotSkipped = 4014;
    public const int OverlapRunCancelled = 4015;
    public const int SlotRunRejected = 4016;
    public const int SlotRunNotStarted = 4017;
    public const int ShutdownWaiting = 4020;
    public const int ShutdownCancelling = 4021;
    public const int DeploymentPaused = 4022;
    public const int DeploymentResumed = 4023;
    public const int BackfillScheduled = 4024;
    public const int RunQueued = 4030;
    public const int QueuedRunStarting = 4031;
    public const int QueuedRunEnded = 4032;
    public const int QueuedRunDuplicate = 4033;
    public const int QueuedRunRejected = 4034;
    public const int QueuedRunNotStarted = 4035;
    public const int QueuedRunPutBack = 4036;
    public const int RunCancelRequested = 4040;
    public const int RunCancelledHere = 4041;
    public const int RunRetried = 4042;
    public const int RetryNotStarted = 4043;
    public const int RecoveringRunNotStarted = 4045;
    public const int RecoveringRunEnded = 4046;
    public const int RecoveringRunOwnerAlive = 4047;
    public const int CrashedRunRetried = 4048;
    public const int CrashedRunNotRetried = 4049;
    public const int WorkerStarted = 4055;
    public const int QuartzFollowsRunStore = 4056;
    public const int ClusterSignalsListening = 4070;
    public const int ClusterSignalsLost = 4071;
    public const int ClusterSignalsRestored = 4072;
    public const int ClusterSignalNotSent = 4073;
    public const int ClusterCancelSignalFailed = 4074;
    public const int ClusterWakeFailed = 4075;
}

using Microsoft.Extensions.Logging;
using static Flows.Orchestration.Logging.OrchestrationEventIds;

namespace Flows.Orchestration.Logging;

/// <summary>The orchestration's log lines, each with its fixed id (<see cref="OrchestrationEventIds"/>). Category <c>Flows.Orchestration</c>.</summary>
internal static partial class OrchestrationLog
{
    public const string Category = "Flows.Orchestration";

    [LoggerMessage(DeploymentsReconciled, LogLevel.Information, "Deployments reconciled with the job store (code version {CodeVersion}): {Created} created, {Updated} updated, {Deleted} deleted, {Unchanged} unchanged, {KeptNewer} kept as written by newer code", EventName = nameof(DeploymentsReconciled))]
    public static partial void Reconciled(this ILogger logger, string codeVersion, int created, int updated, int deleted, int unchanged, int keptNewer);

    [LoggerMessage(DeploymentCreated, LogLevel.Information, "Deployment {Deployment} created: flow {Flow}, {Schedules}", EventName = nameof(DeploymentCreated))]
    public static partial void Created(this ILogger logger, string deployment, string flow, string schedules);

    [LoggerMessage(DeploymentUpdated, LogLevel.Information, "Deployment {Deployment} updated: flow {Flow}, {Schedules} (was written by code version {StoredVersion})", EventName = nameof(DeploymentUpdated))]
    public static partial void Updated(this ILogger logger, string deployment, string flow, string schedules, string storedVersion);

    [LoggerMessage(DeploymentDeleted, LogLevel.Information, "Deployment {Deployment} deleted: the code no longer declares it", EventName = nameof(DeploymentDeleted))]
    public static partial void Deleted(this ILogger logger, string deployment);

    [LoggerMessage(DeploymentUnchanged, LogLevel.Debug, "Deployment {Deployment} unchanged: left as stored", EventName = nameof(DeploymentUnchanged))]
    public static partial void Unchanged(this ILogger logger, string deployment);

    [LoggerMessage(DeploymentKeptNewer, LogLevel.Warning, "Deployment {Deployment} left as stored: it was written by code version {StoredVersion}, newer than this process's {CodeVersion} (a rolling deploy in progress?)", EventName = nameof(DeploymentKeptNewer))]
    public static partial void KeptNewer(this ILogger logger, string deployment, string storedVersion, string codeVersion);

    [LoggerMessage(SlotFired, LogLevel.Information, "Deployment {Deployment} slot {Slot:O} fired: flow {Flow} run {RunId}", EventName = nameof(SlotFired))]
    public static partial void Fired(this ILogger logger, string deployment, DateTimeOffset slot, string flow, Guid runId);

    [LoggerMessage(DuplicateSlotSkipped, LogLevel.Debug, "Deployment {Deployment} slot {Slot:O} fired again: its run {RunId} exists already, so nothing more is run", EventName = nameof(DuplicateSlotSkipped))]
    public static partial void Duplicate(this ILogger logger, string deployment, DateTimeOffset slot, Guid runId);

    [LoggerMessage(SlotLate, LogLevel.Warning, "Deployment {Deployment} slot {Slot:O} starts {Lateness} late (threshold {LateAfter}): run {RunId} is recorded Late", EventName = nameof(SlotLate))]
    public static partial void Late(this ILogger logger, string deployment, DateTimeOffset slot, TimeSpan lateness, TimeSpan lateAfter, Guid runId);

    [LoggerMessage(CatchUpSlotsDropped, LogLevel.Warning, "Deployment {Deployment} missed more slots than its catch-up limit of {Limit}: the older ones (such as {Slot:O}) are dropped, the newest {Limit} run", EventName = nameof(CatchUpSlotsDropped))]
    public static partial void CatchUpDropped(this ILogger logger, string deployment, DateTimeOffset slot, int limit);

    [LoggerMessage(OverlapSlotSkipped, LogLevel.Information, "Deployment {Deployment} slot {Slot:O} skipped: a run of an earlier slot is still going (overlap policy Skip)", EventName = nameof(OverlapSlotSkipped))]
    public static partial void OverlapSkipped(this ILogger logger, string deployment, DateTimeOffset slot);

    [LoggerMessage(OverlapRunCancelled, LogLevel.Information, "Deployment {Deployment} slot {Slot:O} cancels {Count} run(s) of earlier slots still going (overlap policy CancelRunning)", EventName = nameof(OverlapRunCancelled))]
    public static partial void OverlapCancelled(this ILogger logger, string deployment, DateTimeOffset slot, int count);

    [LoggerMessage(SlotRunRejected, LogLevel.Information, "Deployment {Deployment} slot {Slot:O}: the flow refused the run ({Reason})", EventName = nameof(SlotRunRejected))]
    public static partial void Rejected(this ILogger logger, string deployment, DateTimeOffset slot, string reason);

    [LoggerMessage(SlotRunNotStarted, LogLevel.Error, "Deployment {Deployment} slot {Slot:O}: the run could not be started", EventName = nameof(SlotRunNotStarted))]
    public static partial void NotStarted(this ILogger logger, Exception exception, string deployment, DateTimeOffset slot);

    [LoggerMessage(ShutdownWaiting, LogLevel.Information, "Stopping: no more slots fire; waiting up to {Grace} for {Count} scheduled run(s) in progress", EventName = nameof(ShutdownWaiting))]
    public static partial void ShutdownWait(this ILogger logger, TimeSpan grace, int count);

    [LoggerMessage(ShutdownCancelling, LogLevel.Warning, "Stopping: the shutdown grace of {Grace} is over; cancelling {Count} scheduled run(s) still in progress (they end Cancelled)", EventName = nameof(ShutdownCancelling))]
    public static partial void ShutdownCancel(this ILogger logger, TimeSpan grace, int count);

    [LoggerMessage(DeploymentPaused, LogLevel.Information, "Deployment {Deployment} paused by {RequestedBy}: {Reason}", EventName = nameof(DeploymentPaused))]
    public static partial void Paused(this ILogger logger, string deployment, string requestedBy, string reason);

    [LoggerMessage(DeploymentResumed, LogLevel.Information, "Deployment {Deployment} resumed", EventName = nameof(DeploymentResumed))]
    public static partial void Resumed(this ILogger logger, string deployment);

    [LoggerMessage(BackfillScheduled, LogLevel.Information, "Deployment {Deployment} backfill of [{From:O}, {To:O}): {Slots} slot(s), {Scheduled} scheduled to run now, {AlreadyDone} already run or waiting", EventName = nameof(BackfillScheduled))]
    public static partial void Backfilled(this ILogger logger, string deployment, DateTimeOffset from, DateTimeOffset to, int slots, int scheduled, int alreadyDone);

    [LoggerMessage(RunQueued, LogLevel.Information, "Run {RunId} of flow {Flow} queued in {Queue}", EventName = nameof(RunQueued))]
    public static partial void Queued(this ILogger logger, Guid runId, string flow, string queue);

    [LoggerMessage(QueuedRunStarting, LogLevel.Information, "Queued run {RunId} of flow {Flow} starting here (queue {Queue})", EventName = nameof(QueuedRunStarting))]
    public static partial void QueuedStarting(this ILogger logger, Guid runId, string flow, string queue);

    [LoggerMessage(QueuedRunEnded, LogLevel.Information, "Queued run {RunId} of flow {Flow} ended {State} (queue {Queue})", EventName = nameof(QueuedRunEnded))]
    public static partial void QueuedEnded(this ILogger logger, Guid runId, string flow, string queue, Flows.Runs.RunState state);

    [LoggerMessage(QueuedRunDuplicate, LogLevel.Debug, "Queued run {RunId} of flow {Flow} fired again: it is {State} already, so nothing more is run", EventName = nameof(QueuedRunDuplicate))]
    public static partial void QueuedDuplicate(this ILogger logger, Guid runId, string flow, Flows.Runs.RunState state);

    [LoggerMessage(QueuedRunRejected, LogLevel.Information, "Queued run {RunId} of flow {Flow}: the flow refused the run ({Reason})", EventName = nameof(QueuedRunRejected))]
    public static partial void QueuedRejected(this ILogger logger, Guid runId, string flow, string reason);

    [LoggerMessage(QueuedRunNotStarted, LogLevel.Error, "Queued run {RunId} of flow {Flow} (queue {Queue}) could not be started here", EventName = nameof(QueuedRunNotStarted))]
    public static partial void QueuedNotStarted(this ILogger logger, Exception exception, Guid runId, string flow, string queue);

    [LoggerMessage(QueuedRunPutBack, LogLevel.Information, "Queued run {RunId} of flow {Flow} not started: this process is stopping; it is put back in queue {Queue}", EventName = nameof(QueuedRunPutBack))]
    public static partial void QueuedPutBack(this ILogger logger, Guid runId, string flow, string queue);

    [LoggerMessage(RunCancelRequested, LogLevel.Information, "Cancel of run {RunId} ({Flow}, {State}) requested: {Outcome}", EventName = nameof(RunCancelRequested))]
    public static partial void CancelRequested(this ILogger logger, Guid runId, string flow, Flows.Runs.RunState state, string outcome);

    [LoggerMessage(RunRetried, LogLevel.Information, "Run {RunId} of {Flow} retried as run {NewRunId} ({Where})", EventName = nameof(RunRetried))]
    public static partial void Retried(this ILogger logger, Guid runId, string flow, Guid newRunId, string where);

    [LoggerMessage(RetryNotStarted, LogLevel.Error, "Run {RunId} of {Flow}, a retry started in this process, could not be run", EventName = nameof(RetryNotStarted))]
    public static partial void RetryFailedToStart(this ILogger logger, Exception exception, Guid runId, string flow);

    [LoggerMessage(RunCancelledHere, LogLevel.Information, "Run {RunId} in progress in this process cancelled by a request", EventName = nameof(RunCancelledHere))]
    public static partial void CancelledHere(this ILogger logger, Guid runId);

    [LoggerMessage(RecoveringRunNotStarted, LogLevel.Information, "Recovering {Firing}: its run {RunId} never started, so it is run now", EventName = nameof(RecoveringRunNotStarted))]
    public static partial void RecoveringNotStarted(this ILogger logger, string firing, Guid runId);

    [LoggerMessage(RecoveringRunEnded, LogLevel.Information, "Recovering {Firing}: its run {RunId} ended {State}; nothing to do", EventName = nameof(RecoveringRunEnded))]
    public static partial void RecoveringEnded(this ILogger logger, string firing, Guid runId, Flows.Runs.RunState state);

    [LoggerMessage(RecoveringRunOwnerAlive, LogLevel.Warning, "Recovering {Firing}: the process running its run {RunId} still beats in the run store, so this firing is a duplicate and does nothing", EventName = nameof(RecoveringRunOwnerAlive))]
    public static partial void RecoveringAlive(this ILogger logger, string firing, Guid runId);

    [LoggerMessage(CrashedRunRetried, LogLevel.Information, "Recovering {Firing}: its crashed run {RunId} ran attempt {Attempt} here and ended {State}", EventName = nameof(CrashedRunRetried))]
    public static partial void CrashedRetried(this ILogger logger, string firing, Guid runId, int attempt, Flows.Runs.RunState state);

    [LoggerMessage(CrashedRunNotRetried, LogLevel.Warning, "Recovering {Firing}: its run {RunId} is Crashed and is not retried (the flow allows no more attempts, or another process retried it)", EventName = nameof(CrashedRunNotRetried))]
    public static partial void CrashedNotRetried(this ILogger logger, string firing, Guid runId);

    [LoggerMessage(WorkerStarted, LogLevel.Information, "Running flows of {Queues}, at most {MaxConcurrentRuns} at once in this process", EventName = nameof(WorkerStarted))]
    public static partial void Serving(this ILogger logger, string queues, int maxConcurrentRuns);

    [LoggerMessage(QuartzFollowsRunStore, LogLevel.Information, "Quartz node {InstanceId} is the run store's owner: checks in every {Interval}; a node silent for {Timeout} (the store's heartbeat timeout) is recovered", EventName = nameof(QuartzFollowsRunStore))]
    public static partial void FollowsRunStore(this ILogger logger, string instanceId, TimeSpan interval, TimeSpan timeout);
}

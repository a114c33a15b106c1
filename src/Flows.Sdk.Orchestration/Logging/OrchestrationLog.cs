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
}

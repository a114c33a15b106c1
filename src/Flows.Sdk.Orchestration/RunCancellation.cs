using Flows.Runs;

namespace Flows.Orchestration;

/// <summary>What <see cref="RunControl.CancelAsync"/> did.</summary>
/// <param name="Outcome">Cancelled before it started, asked to stop, or nothing to do.</param>
/// <param name="Before">The run as it was when asked.</param>
/// <param name="After">The run as stored just after (still in progress when <see cref="RunCancelOutcome.Requested"/>, until its process stops it).</param>
public sealed record RunCancellation(RunCancelOutcome Outcome, RunRecord Before, RunRecord After);

/// <summary>The outcome of a cancel.</summary>
public enum RunCancelOutcome
{
    /// <summary>The run had already ended: nothing was changed.</summary>
    AlreadyEnded = 0,

    /// <summary>The run had not started (Scheduled or Late): it ended Cancelled at once.</summary>
    CancelledBeforeStart = 1,

    /// <summary>The run is in progress: the process running it was asked to stop it (within about a second).</summary>
    Requested = 2,
}

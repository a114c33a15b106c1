namespace Flows.Orchestration;

/// <summary>
/// What a deployment does about slots it missed while nothing was firing it (the host was down, paused for longer than
/// the misfire threshold, or every worker was busy): set with <see cref="DeploymentBuilder.CatchUp"/>.
/// </summary>
public enum CatchUp
{
    /// <summary>Missed slots are dropped; the deployment resumes at its next slot after now. Quartz's <c>DoNothing</c> misfire instruction.</summary>
    None = 0,

    /// <summary>
    /// The newest missed slot runs once, now; older ones are dropped. The default. Quartz's <c>FireAndProceed</c> misfire
    /// instruction, with the run recorded for the newest missed slot rather than for the moment it fired.
    /// </summary>
    Latest = 1,

    /// <summary>
    /// Every missed slot runs, oldest first, as fast as the deployment's overlap policy lets it - up to the limit given to
    /// <see cref="DeploymentBuilder.CatchUp"/>: beyond it the oldest are dropped and a warning is logged. Quartz's
    /// <c>IgnoreMisfires</c> instruction, bounded.
    /// </summary>
    All = 2,
}

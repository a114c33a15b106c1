using Flows.Orchestration;

namespace Scheduled;

/// <summary>Every deployment of this app: which flow runs when, with what parameters.</summary>
public static class Deployments
{
    /// <summary>
    /// Two deployments of one flow with different parameters, and an interval. The crons have a seconds field so a minute
    /// of running shows several slots; a real voter sync would say <c>Cron("0 6 * * 1-5", "America/New_York")</c>.
    /// </summary>
    public static void Declare(OrchestrationOptions o) => o
        .Deploy("voter-sync-ohio", "voter-sync", d => d
            .Cron("*/20 * * * * *")
            .Parameters(new { states = new[] { "OH" } })
            .Description("Ohio's file, three times a minute"))
        .Deploy("voter-sync-swing", "voter-sync", d => d
            .Cron("10 * * * * *")
            .Parameters(new { states = new[] { "PA", "MI", "WI" }, full = true })
            .Overlap(DeploymentOverlap.Skip))
        .Deploy("heartbeat", "heartbeat", d => d.Interval(TimeSpan.FromSeconds(15)));
}

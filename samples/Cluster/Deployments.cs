using Flows;
using Flows.Orchestration;
using Microsoft.Extensions.Logging;

namespace Cluster;

/// <summary>The application's flows and their schedules: the same code in every replica.</summary>
public static class Deployments
{
    public static void Declare(OrchestrationOptions o)
    {
        o.Deploy("voter-sync-hourly", "voter-sync", d => d.Cron("0 * * * *").Parameters(new { state = "OH" }));
        o.Deploy("heartbeat", "heartbeat", d => d.Cron("* * * * *"));
    }

    [Task("download-voter-file", Retries = 2)]
    public static int Download(string state)
    {
        Flow.Logger.LogInformation("Downloading the {State} voter file on {Machine}", state, Environment.MachineName);
        return state.Length * 1000;
    }

    [Flow("voter-sync")]
    public static int VoterSync(string state) => Download(state);

    [Flow("heartbeat")]
    public static void Heartbeat() => Flow.Logger.LogInformation("Heartbeat from {Machine}", Environment.MachineName);
}

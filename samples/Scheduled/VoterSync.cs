using Flows;
using Microsoft.Extensions.Logging;

namespace Scheduled;

/// <summary>The flows the deployments run.</summary>
public static class VoterSync
{
    [Task("download-voter-file", Retries = 2)]
    public static int Download(string state)
    {
        Flow.Logger.LogInformation("Downloading the {State} voter file", state);
        return state.Length * 1000;
    }

    [Flow("voter-sync")]
    public static int Run(string[] states, bool full = false)
    {
        var rows = states.Sum(state => Download(state));
        Flow.Logger.LogInformation("Synced {Rows} rows from {States} ({Mode})", rows, string.Join(",", states), full ? "full" : "changes");
        return rows;
    }

    [Flow("heartbeat")]
    public static void Heartbeat() => Flow.Logger.LogInformation("Still here");
}

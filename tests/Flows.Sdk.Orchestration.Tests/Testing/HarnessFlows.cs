namespace Flows.Orchestration.Tests.Testing;

/// <summary>Flows the schedule harness tests deploy.</summary>
public static class HarnessFlows
{
    [Flow("harness-sync")]
    public static int Sync(string[] states, bool full = false) => full ? states.Length * 10 : states.Length;

    [Flow("harness-ping")]
    public static void Ping()
    {
    }
}

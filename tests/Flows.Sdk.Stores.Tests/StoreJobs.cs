using Microsoft.Extensions.Logging;

namespace Flows.Stores.Tests;

/// <summary>Flows and tasks the store tests run; names start with "store-" to stay unique in this assembly.</summary>
public static class StoreJobs
{
    public static int Calls;

    [Task("store-count")]
    public static async Task<int> Count(string state)
    {
        await Task.Yield();
        Flow.Logger.LogInformation("Counting {State}", state);
        return 2;
    }

    [Task("store-expensive", CacheExpirationSeconds = 3600)]
    public static string Expensive(string state)
    {
        Interlocked.Increment(ref Calls);
        return state + "!";
    }

    [Flow("store-sync")]
    public static async Task<int> Sync(string[] states)
    {
        var counts = await Task.WhenAll(states.Select(s => Count(s)));
        Flow.Artifacts.Table("loaded", states.Zip(counts, (s, c) => new { State = s, Rows = c }));
        return counts.Sum();
    }
}

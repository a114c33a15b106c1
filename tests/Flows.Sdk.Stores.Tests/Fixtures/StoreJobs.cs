using Microsoft.Extensions.Logging;

namespace Flows.Stores.Tests.Fixtures;

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

    public static int KeyedCalls;

    /// <summary>A cached task whose result does not show its secret.</summary>
    [Task("store-keyed-count", CacheExpirationSeconds = 3600)]
    public static string KeyedCount(string state, [Secret("store-api-key")] string apiKey = "")
    {
        Interlocked.Increment(ref KeyedCalls);
        return $"{state} counted with a key of {apiKey.Length} characters";
    }

    /// <summary>A cached task whose result carries its secret, as a task returning a connection string would.</summary>
    [Task("store-keyed-echo", CacheExpirationSeconds = 3600)]
    public static string KeyedEcho(string state, [Secret("store-api-key")] string apiKey = "") => $"{state}?key={apiKey}";

    /// <summary>A cached task that reads its secret in its body, not through a [Secret] parameter, and returns it encoded.</summary>
    [Task("store-body-secret", CacheExpirationSeconds = 3600)]
    public static async Task<string> BodySecret(string state)
    {
        var key = await Flow.Secrets.GetAsync("store-api-key");
        return $"{state}?key={Uri.EscapeDataString(key)}&basic={Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("etl:" + key))}";
    }

    [Flow("store-sync")]
    public static async Task<int> Sync(string[] states)
    {
        var counts = await Task.WhenAll(states.Select(s => Count(s)));
        Flow.Artifacts.Table("loaded", states.Zip(counts, (s, c) => new { State = s, Rows = c }));
        return counts.Sum();
    }
}

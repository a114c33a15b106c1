using Flows;
using Microsoft.Extensions.Logging;

namespace Operations;

/// <summary>Imports each region's orders in batches and loads them into the warehouse.</summary>
public static class Orders
{
    /// <summary>
    /// Fetches <paramref name="batches"/> batches per region (cached for an hour, so a retry does not fetch them again),
    /// then loads them. Set WAREHOUSE_DOWN=1 to see the load fail, and the retry take the batches from the cache.
    /// </summary>
    [Flow("import-orders", Description = "Imports the regions' orders into the warehouse")]
    public static async Task<int> Import(string[] regions, int batches = 4, [Secret("shop-api-key")] string apiKey = "")
    {
        Flow.Logger.LogInformation("Importing {Regions} with key {Key}", string.Join(",", regions), apiKey);
        var work = regions.SelectMany(region => Enumerable.Range(1, batches).Select(batch => (region, batch))).ToArray();
        var rows = await Flow.Map(work, w => FetchBatch(w.region, w.batch), maxConcurrency: 4);
        return await Load(rows.Sum());
    }

    [Task("fetch-batch", CacheExpirationSeconds = 3600, Retries = 2)]
    public static async Task<int> FetchBatch(string region, int batch)
    {
        await Task.Delay(150);
        return region.Length * 100 + batch;
    }

    [Task("load-warehouse")]
    public static Task<int> Load(int rows)
    {
        if (Environment.GetEnvironmentVariable("WAREHOUSE_DOWN") == "1")
        {
            throw new InvalidOperationException("The warehouse refused the connection (WAREHOUSE_DOWN=1).");
        }

        Flow.Logger.LogInformation("Loaded {Rows} rows", rows);
        return Task.FromResult(rows);
    }
}

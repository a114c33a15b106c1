namespace Flows.Sdk.Generators.Tests;

/// <summary>Representative inputs shared by the golden-file and compile-the-output tests.</summary>
internal static class Samples
{
    /// <summary>An instance async task with a token and limits, a sync static task, cached tasks (by expiry, by a custom key), and a flow with a secret, every hook, an overlap policy and defaults.</summary>
    public const string VoterSync = """
        namespace Voters
        {
            public sealed record Contact(string Name, string State);

            public sealed class VoterSync
            {
                [Task(Retries = 3, RetryDelaySeconds = 5, Backoff = Backoff.Exponential, TimeoutSeconds = 120, Tags = ["van-api"], MaxConcurrency = 4, LogPrints = true)]
                public async Task<Contact[]> Download(string state, CancellationToken ct)
                {
                    await Task.Delay(1, ct);
                    return [new Contact("Ada", state)];
                }

                [Task(CacheExpirationSeconds = 3600)]
                public static int Count(Contact[] rows) => rows.Length;

                [Task(CacheKey = nameof(RegionKey), RefreshCache = true)]
                public Task<string> Region(string state, int year, CancellationToken ct) => Task.FromResult(state + year);

                internal string RegionKey(string state, int year) => $"{state}/{year}";

                [Flow("voter-sync", Description = "Syncs voters", Schedule = "0 6 * * *", TimeZone = "America/New_York",
                      OnCompletion = nameof(Completed), OnFailure = nameof(FailedAsync), OnCancellation = nameof(Completed), OnCrashed = nameof(FailedAsync),
                      MaxConcurrentRuns = 1, Overlap = OverlapPolicy.Skip)]
                public async Task<int> Run(string[] states, int batchSize = 100, string? label = null, [Secret("van-api-key")] string apiKey = "")
                {
                    var batches = await Task.WhenAll(states.Select(s => Download(s, default)));
                    return Count(batches.SelectMany(b => b).ToArray());
                }

                internal void Completed(RunRecord run) { }

                internal static Task FailedAsync() => Task.CompletedTask;
            }
        }
        """;

    /// <summary>Every return shape the runtime adapts, called from one place.</summary>
    public const string ReturnShapes = """
        namespace Shapes
        {
            public static class Jobs
            {
                [Task] public static void Touch(string path) { }
                [Task] public static int Add(int a, int b) => a + b;
                [Task] public static Task WaitAsync(CancellationToken cancellationToken) => Task.Delay(1, cancellationToken);
                [Task] public static Task<string?> Find(string key) => Task.FromResult<string?>(key);
                [Task(Name = "ping")] public static ValueTask Ping() => default;
                [Flow] public static ValueTask<double> MeasureAsync(double factor = 1.5, Backoff mode = Backoff.Linear) => new(factor);

                public static async Task CallAll()
                {
                    Touch("a");
                    Touch("b");
                    _ = Add(1, 2);
                    await WaitAsync(CancellationToken.None);
                    _ = await Find("k");
                    await Ping();
                    _ = await MeasureAsync();
                }
            }
        }
        """;
}

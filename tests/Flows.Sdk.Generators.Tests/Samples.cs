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

    /// <summary>
    /// A library of tasks other assemblies call: static (sync with retries, async, ValueTask), an extension method,
    /// instance tasks with defaults and a nullable parameter, a flow, and an internal task.
    /// </summary>
    public const string SharedLibrary = """
        namespace Shared
        {
            public static class Jobs
            {
                [Task("shared-double", Retries = 2)] public static int Double(int x) => x * 2;
                [Task] public static async Task<string> FetchAsync(string key, CancellationToken ct) { await Task.Yield(); return key; }
                [Task] public static ValueTask PingAsync() => default;
                [Task] public static void Touch(this string path, int times) { }
                [Flow("shared-all")] public static Task RunAll(string[] states) => Task.CompletedTask;
            }

            public class Worker
            {
                [Task] public int Scale(int x, int factor = 2) => x * factor;
                [Task] public Task Save(string? note = null) => Task.CompletedTask;
            }

            internal static class Internals
            {
                [Task] internal static int Hidden(int x) => x;
            }
        }
        """;

    /// <summary>Calls every public task and flow of <see cref="SharedLibrary"/>, one of them twice, from a project that declares none.</summary>
    public const string SharedConsumer = """
        namespace App
        {
            using Shared;

            public static class Program
            {
                public static async Task<int> Use(Worker worker)
                {
                    var a = Jobs.Double(21);
                    var b = Jobs.Double(1);
                    var s = await Jobs.FetchAsync("k", CancellationToken.None);
                    await Jobs.PingAsync();
                    "path".Touch(2);
                    Jobs.Touch("p", 3);
                    var c = worker.Scale(3);
                    await worker.Save();
                    await Jobs.RunAll(["OH"]);
                    return a + b + c + s.Length;
                }
            }
        }
        """;
}

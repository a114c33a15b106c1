using Flows;
using Flows.Stores;
using Flows.Stores.Sqlite;

// Usage:
//   Flows.Sdk.CrashHelper <sqlite-file> <completed-steps>
//     Runs 'crash-job': that many steps complete, then a step hangs. Prints READY once the completed steps are in the
//     store; the test then kills the process.
//   Flows.Sdk.CrashHelper retry-job <sqlite-file>
//     Runs 'crash-retry-job' (one retry): a cached and an uncached task complete, then a step hangs, after READY, as above.
//   Flows.Sdk.CrashHelper retry <sqlite-file> <run-id>
//     Retries the crashed run; prints "RETRIED <state> <attempt>", or "NOT-RETRIED".
var store = new SqliteRunStore(args[0] is "retry-job" or "retry" ? args[1] : args[0]);
var engine = new FlowEngine(new FlowEngineOptions { Store = store });
FlowEngine.Default = engine;
switch (args[0])
{
    case "retry-job":
        await RetryJob.Run(3);
        break;
    case "retry":
        RetryJob.HangAfterTasks = false;
        var run = await engine.TryRetryCrashedRunAsync(Guid.Parse(args[2]));
        Console.WriteLine(run is null ? "NOT-RETRIED" : $"RETRIED {run.State} {run.Attempt}");
        await engine.DisposeAsync();
        break;
    default:
        await CrashJob.Run(int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture));
        break;
}

internal static class CrashJob
{
    [Task("crash-step")]
    public static int Step(int index) => index * 2;

    [Task("crash-hang")]
    public static async Task Hang()
    {
        await FlowEngine.Current.FlushAsync();
        Console.WriteLine("READY");
        await Task.Delay(Timeout.Infinite);
    }

    [Flow("crash-job")]
    public static async Task Run(int steps)
    {
        for (var i = 0; i < steps; i++)
        {
            Step(i);
        }

        await Hang();
    }
}

internal static class RetryJob
{
    /// <summary>True in the process that is to be killed: the flow's first attempt hangs once its tasks are done.</summary>
    public static bool HangAfterTasks { get; set; } = true;

    [Task("crash-cached-double", CacheExpirationSeconds = 3600)]
    public static int Double(int size) => size * 2;

    [Task("crash-uncached-count")]
    public static int Count(int size) => size + 1;

    [Flow("crash-retry-job", Retries = 1)]
    public static async Task<int> Run(int size)
    {
        var total = Double(size) + Count(size);
        if (HangAfterTasks)
        {
            await CrashJob.Hang();
        }

        return total;
    }
}

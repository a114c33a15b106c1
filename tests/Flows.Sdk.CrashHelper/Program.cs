using Flows;
using Flows.Stores;
using Flows.Stores.PostgreSql;
using Flows.Stores.Sqlite;

// Usage (a store is a SQLite file, or with the "-pg" modes a PostgreSQL connection string and schema):
//   Flows.Sdk.CrashHelper <sqlite-file> <completed-steps>
//     Runs 'crash-job': that many steps complete, then a step hangs. Prints READY once the completed steps are in the
//     store; the test then kills the process.
//   Flows.Sdk.CrashHelper retry-job <sqlite-file>  |  retry-job-pg <connection-string> <schema>
//     Runs 'crash-retry-job' (one retry): a cached and an uncached task complete, then a step hangs, after READY, as above.
//   Flows.Sdk.CrashHelper retry <sqlite-file> <run-id>  |  retry-pg <connection-string> <schema> <run-id>
//     Retries the crashed run; prints "RETRIED <state> <attempt>", or "NOT-RETRIED".
var mode = args[0] is "retry-job" or "retry" or "retry-job-pg" or "retry-pg" ? args[0] : "steps";
var rest = mode == "steps" ? args : args[1..];
var postgres = mode.EndsWith("-pg", StringComparison.Ordinal);
IRunStore store = postgres ? new PostgreSqlRunStore(new PostgreSqlRunStoreOptions { ConnectionString = rest[0], Schema = rest[1] }) : new SqliteRunStore(rest[0]);
rest = rest[(postgres ? 2 : 1)..];
var engine = new FlowEngine(new FlowEngineOptions { Store = store });
FlowEngine.Default = engine;
switch (mode)
{
    case "retry-job" or "retry-job-pg":
        await RetryJob.Run(3);
        break;
    case "retry" or "retry-pg":
        RetryJob.HangAfterTasks = false;
        var run = await engine.TryRetryCrashedRunAsync(Guid.Parse(rest[0]));
        Console.WriteLine(run is null ? "NOT-RETRIED" : $"RETRIED {run.State} {run.Attempt}");
        await engine.DisposeAsync();
        await ((IAsyncDisposable)store).DisposeAsync();
        break;
    default:
        await CrashJob.Run(int.Parse(rest[0], System.Globalization.CultureInfo.InvariantCulture));
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

using Flows;
using Flows.Stores;
using Flows.Stores.Sqlite;

// Usage: Flows.Sdk.CrashHelper <sqlite-file> <completed-steps>
// Runs 'crash-job': that many steps complete, then a step hangs. Prints READY once the completed steps are in the
// store; the test then kills the process.
var store = new SqliteRunStore(args[0]);
var engine = new FlowEngine(new FlowEngineOptions { Store = store });
FlowEngine.Default = engine;
await CrashJob.Run(int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture));

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

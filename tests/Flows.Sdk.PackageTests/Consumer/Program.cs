using Flows;
using Flows.Runs;
using Flows.Stores;

// A user's program with nothing but one PackageReference (Flows.Sdk, or a package built on it): the task below must
// run through the runtime.
var engine = new FlowEngine();
FlowEngine.Default = engine;
var job = new Job();
var result = await job.Run();
var tasks = await engine.Store.QueryRunsAsync(new Flows.Stores.RunQuery { Kind = RunKind.Task });
var flows = await engine.Store.QueryRunsAsync(new Flows.Stores.RunQuery { Kind = RunKind.Flow });
Console.WriteLine($"result={result} calls={job.Calls} task-attempts={tasks.Single().Attempt} task-state={tasks.Single().State} flow={flows.Single().Name}:{flows.Single().State}");

public sealed class Job
{
    public int Calls { get; private set; }

    [Task("flaky-step", Retries = 2)]
    public int FlakyStep()
    {
        Calls++;
        if (Calls < 3)
        {
            throw new InvalidOperationException("not yet");
        }

        return Calls * 10;
    }

    [Flow("consumer-job")]
    public async Task<int> Run()
    {
        await Task.Yield();
        return FlakyStep();
    }
}

using Flows.Tests.SharedTasks;

namespace Flows.Tests.Fixtures;

/// <summary>A flow of this assembly that calls the tasks of Flows.Sdk.Tests.SharedTasks.</summary>
public static class SharedCalls
{
    [Flow("shared-calls")]
    public static async Task<string> Run(int factor)
    {
        var sum = SharedJobs.FlakySum(1, 2, new AttemptCounter());
        var fetched = await SharedJobs.FetchAsync("oh", CancellationToken.None);
        var scaled = new SharedWorker(factor).Scale(sum);
        return fetched.Tag(scaled.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}

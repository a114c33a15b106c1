using Microsoft.Extensions.Logging;

namespace Flows.Tests.Fixtures;

/// <summary>A flow with tasks and two subflow calls.</summary>
public sealed class Pipeline
{
    [Task("pipeline-extract")]
    public Task<int[]> Extract(int count) => Task.FromResult(Enumerable.Range(1, count).ToArray());

    [Task("pipeline-sum")]
    public int Sum(int[] values) => values.Sum();

    [Flow("pipeline-child")]
    public async Task<int> Child(int count) => Sum(await Extract(count));

    [Flow("pipeline-parent")]
    public async Task<int> Parent(int count)
    {
        Flow.Logger.LogInformation("Summing {Count} and {Double}", count, count * 2);
        return await Child(count) + await Child(count * 2);
    }
}

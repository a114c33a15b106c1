using NUnit.Framework.Interfaces;

namespace Flows.Orchestration.Tests.Cluster;

/// <summary>
/// A test over a <see cref="TestCluster"/> of its own: started by <see cref="StartClusterAsync"/>, its processes'
/// output written to the test's output when the test fails, killed and its database dropped when the test ends.
/// Not run in parallel with other tests: a few processes each, on a 2-core machine, are what the timings assume.
/// </summary>
[NonParallelizable]
public abstract class ClusterTest
{
    private TestCluster? _cluster;

    [TearDown]
    public async Task StopClusterAsync()
    {
        if (_cluster is not { } cluster)
        {
            return;
        }

        _cluster = null;
        try
        {
            if (TestContext.CurrentContext.Result.Outcome.Status != TestStatus.Passed)
            {
                await cluster.WriteOutputAsync(TestContext.Out);
            }
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    /// <inheritdoc cref="TestCluster.StartAsync"/>
    private protected async Task<TestCluster> StartClusterAsync(int replicas, IReadOnlyDictionary<string, string>? settings = null, ThrowAwayCluster? server = null)
    {
        _cluster = await TestCluster.StartAsync(replicas, settings, server);
        return _cluster;
    }
}

namespace Flows.Orchestration.Tests.Cluster;

/// <summary>
/// A rolling deploy: replicas of the old code (1.0.0) and the new (2.0.0, which changes the deployment <c>rolling</c>
/// and adds <c>rolling-added</c>) run side by side on one database, and old replicas keep (re)starting while it lasts.
/// </summary>
public sealed class RollingDeployTests : ClusterTest
{
    private const string KeptNewer = "EVENT 4006 ";

    private static readonly Dictionary<string, string> Old = new() { ["Helper:Version"] = "1.0.0" };
    private static readonly Dictionary<string, string> New = new() { ["Helper:Version"] = "2.0.0" };

    private static readonly (string, string, string)[] NewDeployments =
    [
        ("rolling", "2.0.0", "declared by code 2.0.0"),
        ("rolling-added", "2.0.0", "declared by code 2.0.0"),
    ];

    [Test]
    public async Task OldAndNewCodeStartedTogether_TheNewerDeploymentsStand()
    {
        var cluster = await StartClusterAsync(0);

        await cluster.StartReplicasAsync([("old-1", Old), ("new-1", New), ("old-2", Old), ("new-2", New)]);
        var together = await cluster.DeploymentsAsync();

        // The old replicas reconcile again (a crash loop, a scale-up of the old set) after every new one has.
        await Task.WhenAll(cluster.Replica("old-1").StopAsync(), cluster.Replica("old-2").StopAsync());
        var again = await cluster.StartReplicasAsync([("old-3", Old), ("old-4", Old)]);
        var afterOld = await cluster.DeploymentsAsync();

        Assert.Multiple(() =>
        {
            Assert.That(together.OrderBy(d => d.Name, StringComparer.Ordinal), Is.EqualTo(NewDeployments), "started together");
            Assert.That(afterOld.OrderBy(d => d.Name, StringComparer.Ordinal), Is.EqualTo(NewDeployments), "after old replicas started again");
            Assert.That(again.Select(p => p.Lines.Count(l => l.StartsWith(KeptNewer, StringComparison.Ordinal))), Is.All.EqualTo(2),
                "each restarted old replica left both as stored (4006): 'rolling', which it declares otherwise, and 'rolling-added', which it does not declare");
        });
    }
}

using Flows.Orchestration.Tests.Support;
using Flows.Stores;
using Microsoft.Extensions.Time.Testing;

namespace Flows.Orchestration.Tests.Hosting;

/// <summary>A process with orchestration tells its run store what it serves, so anyone listing the store's nodes sees it.</summary>
public sealed class NodeDescriptionTests
{
    [Test]
    public async Task AWorker_DescribesItsQueuesConcurrencyAndRoles_ToTheRunStore()
    {
        using var home = TempFolder.Create();
        await using var host = await OrchestrationHost.StartAsync(home.Path, new FakeTimeProvider(DateTimeOffset.UtcNow), o =>
        {
            o.Application = "billing";
            o.Queues.Add("reports");
            o.Queues.Add("default");
            o.MaxConcurrentRuns = 3;
        });

        var node = (await ((IRunStoreNodes)host.Engine.Store).ListNodesAsync()).Single(n => n.IsCurrent);

        Assert.That(node.Description, Is.EqualTo(new NodeDescription
        {
            Works = true,
            Schedules = true,
            Queues = ["reports", "default"],
            MaxConcurrentRuns = 3,
            Application = "billing",
            Version = node.Description?.Version,
        }));
        Assert.That(node.Description!.Version, Is.Not.Empty);
    }

    [Test]
    public async Task AClientOnlyProcess_SaysItServesNoQueue()
    {
        using var home = TempFolder.Create();
        await using var host = await OrchestrationHost.StartAsync(
            home.Path,
            new FakeTimeProvider(DateTimeOffset.UtcNow),
            o => o.Queues.Add("reports"),
            new Dictionary<string, string?> { ["Flows:Orchestration:Works"] = "false", ["Flows:Orchestration:Schedules"] = "false" });

        var node = (await ((IRunStoreNodes)host.Engine.Store).ListNodesAsync()).Single(n => n.IsCurrent);

        Assert.That((node.Description!.Works, node.Description.Schedules, node.Description.Queues, node.Description.MaxConcurrentRuns), Is.EqualTo((false, false, (IReadOnlyList<string>)[], (int?)null)));
    }
}

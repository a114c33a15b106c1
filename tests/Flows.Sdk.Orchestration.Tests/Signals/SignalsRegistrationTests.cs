using Flows.Orchestration.Cluster;
using Flows.Orchestration.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Flows.Orchestration.Tests.Signals;

/// <summary>AddOrchestration registers the signals, on when the job store is a clustered PostgreSQL one and off otherwise.</summary>
public sealed class SignalsRegistrationTests
{
    [Test]
    public async Task WithAPostgreSqlRunStore_SignalsAreOn()
    {
        using var home = TempFolder.Create();
        var settings = new Dictionary<string, string?> { ["Flows:Store:ConnectionString"] = TestServices.Postgres };
        await using var host = OrchestrationHost.Create(home.Path, new FakeTimeProvider(), _ => { }, settings, services => services.AddFlowsPostgreSqlStore());

        Assert.That(host.Host.Services.GetRequiredService<ClusterSignals>().IsEnabled, Is.True);
    }

    [Test]
    public async Task WithASqliteRunStore_SignalsAreOff()
    {
        using var home = TempFolder.Create();
        await using var host = OrchestrationHost.Create(home.Path, new FakeTimeProvider(), _ => { });

        Assert.That(host.Host.Services.GetRequiredService<ClusterSignals>().IsEnabled, Is.False);
    }

    [Test]
    public async Task WithAnUnclusteredPostgreSqlJobStore_SignalsAreOff()
    {
        using var home = TempFolder.Create();
        var settings = new Dictionary<string, string?>
        {
            ["Flows:Store:ConnectionString"] = TestServices.Postgres,
            ["Flows:Orchestration:JobStore:Clustered"] = "false",
        };
        await using var host = OrchestrationHost.Create(home.Path, new FakeTimeProvider(), _ => { }, settings, services => services.AddFlowsPostgreSqlStore());

        Assert.That(host.Host.Services.GetRequiredService<ClusterSignals>().IsEnabled, Is.False);
    }
}

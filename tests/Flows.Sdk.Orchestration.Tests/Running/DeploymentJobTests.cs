using Flows.Orchestration.Hosting;
using Flows.Orchestration.Running;
using Flows.Orchestration.Tests.Fixtures;
using Flows.Orchestration.Tests.Support;
using Flows.Runs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Flows.Orchestration.Tests.Running;

public sealed class DeploymentJobTests
{
    [Test]
    public async Task TheFiringsCancellationToken_ReachesTheRun()
    {
        using var home = TempFolder.Create();
        var slot = new DateTimeOffset(2026, 1, 5, 10, 1, 0, TimeSpan.Zero);
        await using var host = await OrchestrationHost.StartAsync(home.Path, new FakeTimeProvider(slot.AddSeconds(-30)), o =>
            o.Deploy("interrupted", "orch-block", d => d.Cron("* * * * *").Parameters(new { label = "interrupted" })));
        await host.JumpToAsync(slot.AddMilliseconds(200), () => Task.FromResult(Scheduled.Started.Contains("interrupted")), "the run to start");

        var scheduler = await host.Host.Services.GetRequiredService<OrchestrationScheduler>().GetAsync(CancellationToken.None);
        await scheduler.Interrupt(JobData.JobKey("interrupted"));
        var runs = await host.EndedRunsAsync("interrupted", 1);

        Assert.That(runs.Single().State, Is.EqualTo(RunState.Cancelled));
    }
}

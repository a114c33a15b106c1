using Flows.Orchestration.Deployments;
using Flows.Orchestration.Reconciling;
using Flows.Orchestration.Running;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Quartz;

namespace Flows.Orchestration.Tests.Reconciling;

public sealed class CodeVersionTests
{
    [TestCase("2.0.0", "1.9.9", true)]
    [TestCase("1.10.0", "1.9.0", true)]
    [TestCase("1.0.0", "1.0.0", false)]
    [TestCase("1.0.0+abc", "1.0.0+def", false)]
    [TestCase("1.0.0", "1.0.0-beta", true)]
    [TestCase("1.0.0-beta", "1.0.0", false)]
    [TestCase("1.0.0-rc.2", "1.0.0-rc.1", true)]
    [TestCase("1.0.0-rc.10", "1.0.0-rc.2", true)]
    [TestCase("1.0.0-rc.2", "1.0.0-rc.10", false)]
    [TestCase("1.0.0-rc", "1.0.0-1", true)]
    [TestCase("1.0.0-rc.1", "1.0.0-rc", true)]
    [TestCase("1.2", "1.1.9", true)]
    [TestCase("7", "6.9", true)]
    [TestCase("not-a-version", "1.0.0", false)]
    [TestCase(null, "1.0.0", false)]
    [TestCase("2.0.0", "not-a-version", false)]
    public void IsNewer_ComparesAsSemVer_AndNeverClaimsNewerWhenUnreadable(string? stored, string mine, bool newer) =>
        Assert.That(CodeVersion.IsNewer(stored, mine), Is.EqualTo(newer));

    [Test]
    public async Task OlderCode_NeitherRevertsNorDeletes_ADeploymentNewerCodeWrote()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 10, 0, 0, TimeSpan.Zero));
        var scheduler = await QuartzSchedulerBuilder.Create(q => q.UseInMemoryStore()).BuildScheduler();
        try
        {
            var newer = Deployments("0 * * * *");
            await new Reconciler(scheduler, NullLogger.Instance, "2.0.0", time).ReconcileAsync(newer, CancellationToken.None);

            var revert = await new Reconciler(scheduler, NullLogger.Instance, "1.0.0", time).ReconcileAsync(Deployments("30 * * * *"), CancellationToken.None);
            var delete = await new Reconciler(scheduler, NullLogger.Instance, "1.0.0", time).ReconcileAsync([], CancellationToken.None);
            var stored = await scheduler.GetJobDetail(JobData.JobKey("versioned"));
            var upgrade = await new Reconciler(scheduler, NullLogger.Instance, "3.0.0", time).ReconcileAsync(Deployments("45 * * * *"), CancellationToken.None);

            Assert.Multiple(() =>
            {
                Assert.That((revert.KeptNewer, revert.Updated), Is.EqualTo((1, 0)));
                Assert.That((delete.KeptNewer, delete.Deleted), Is.EqualTo((1, 0)));
                Assert.That(stored!.JobDataMap.GetString(JobData.Hash), Is.EqualTo(newer[0].Hash));
                Assert.That(upgrade.Updated, Is.EqualTo(1));
            });
        }
        finally
        {
            await scheduler.Shutdown();
        }
    }

    private static IReadOnlyList<Deployment> Deployments(string cron)
    {
        var options = new OrchestrationOptions { DeployFlowSchedules = false };
        options.Deploy("versioned", "orch-record", d => d.Cron(cron));
        return DeploymentValidation.Validate(options);
    }
}

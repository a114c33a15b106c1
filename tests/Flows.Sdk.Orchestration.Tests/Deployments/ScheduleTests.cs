using Flows.Orchestration.Deployments;

namespace Flows.Orchestration.Tests.Deployments;

public sealed class ScheduleTests
{
    private static Schedule Every(TimeSpan every, DateTimeOffset anchor) =>
        Schedule.ForInterval(new ScheduleSpec(null, null, every, anchor), every, anchor);

    [Test]
    public void AnIntervalsFirstSlot_IsOnTheGrid_ToTheTick()
    {
        // 56 years of ticks after the Unix epoch: one tick past a second is beyond what a double can tell apart.
        var second = new DateTimeOffset(2026, 1, 5, 10, 0, 0, TimeSpan.Zero);
        var grid = Every(TimeSpan.FromSeconds(1), DateTimeOffset.UnixEpoch);

        Assert.Multiple(() =>
        {
            Assert.That(grid.FirstAtOrAfter(second.AddTicks(1)), Is.EqualTo(second.AddSeconds(1)));
            Assert.That(grid.FirstAtOrAfter(second), Is.EqualTo(second));
            Assert.That(grid.FirstAtOrAfter(second.AddTicks(-1)), Is.EqualTo(second));
            Assert.That(Every(TimeSpan.FromMinutes(5), second).FirstAtOrAfter(second.AddMinutes(-7)), Is.EqualTo(second.AddMinutes(-5)), "before the anchor");
        });
    }

    [Test]
    public void ADeploymentsHash_CoversWhatIsSet_NotDefaults()
    {
        var spec = new ScheduleSpec("0 6 * * *", null, null, null);
        var definition = new DeploymentDefinition
        {
            Flow = "orch-record",
            Schedules = [spec],
            Parameters = new(StringComparer.Ordinal),
            CatchUp = CatchUp.Latest,
            CatchUpLimit = 100,
        };
        var deployment = new Deployment("pinned", definition, [Schedule.ForCron(spec, Flows.Orchestration.Scheduling.CrontabExpression.Parse(spec.Cron!), TimeZoneInfo.Utc)]);

        // A field added later with its default, or left empty, must not change this (every deployment would be rewritten).
        Assert.That(deployment.CanonicalJson, Is.EqualTo("""{"Flow":"orch-record","Schedules":[{"Cron":"0 6 * * *"}],"CatchUp":"Latest","CatchUpLimit":100}"""));
    }

}

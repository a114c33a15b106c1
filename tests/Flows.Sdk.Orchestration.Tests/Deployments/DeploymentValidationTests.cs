using Flows.Orchestration.Deployments;
using Flows.Orchestration.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Flows.Orchestration.Tests.Deployments;

public sealed class DeploymentValidationTests
{
    /// <summary>A value the generator cannot see as a literal: these tests check the start-up check, which FLOWS1012 would otherwise pre-empt at build time.</summary>
    private static string AtRunTime(string value) => value;

    private static DeploymentException Invalid(Action<OrchestrationOptions> configure)
    {
        var options = new OrchestrationOptions { DeployFlowSchedules = false };
        configure(options);
        return Assert.Throws<DeploymentException>(() => DeploymentValidation.Validate(options))!;
    }

    private static void AssertOneError(DeploymentException error, string deployment, string field, params string[] fragments)
    {
        Assert.That(error.Errors, Has.Count.EqualTo(1), error.Message);
        Assert.Multiple(() =>
        {
            Assert.That(error.Errors[0].Deployment, Is.EqualTo(deployment));
            Assert.That(error.Errors[0].Field, Is.EqualTo(field));
            Assert.That(error.Message, Does.Contain($"deployment '{deployment}', {field}:"));
            foreach (var fragment in fragments)
            {
                Assert.That(error.Errors[0].Problem, Does.Contain(fragment));
            }
        });
    }

    [Test]
    public void AValidDeployment_IsCheckedAndHashed()
    {
        var options = new OrchestrationOptions { DeployFlowSchedules = false };
        options.Deploy("typed", "orch-typed", d => d.Cron("0 6 * * 1-5", "America/New_York").Parameters(new { count = 2, states = new[] { "OH" } }));

        var deployment = DeploymentValidation.Validate(options).Single();

        Assert.Multiple(() =>
        {
            Assert.That(deployment.Name, Is.EqualTo("typed"));
            Assert.That(deployment.Hash, Has.Length.EqualTo(32));
            Assert.That(deployment.Definition.Parameters.Keys, Is.EqualTo(new[] { "count", "states" }));
        });
    }

    [Test]
    public void AnUnknownFlow_IsNamedWithTheKnownOnes() =>
        AssertOneError(Invalid(o => o.Deploy("d1", "no-such-flow", d => d.Cron("* * * * *"))), "d1", "Flow", "no-such-flow", "orch-record");

    [Test]
    public void AMissingRequiredParameter_IsNamed() =>
        AssertOneError(Invalid(o => o.Deploy("d2", "orch-typed", d => d.Cron("* * * * *").Parameters(new { states = new[] { "OH" } }))), "d2", "Parameters.count", "count");

    [Test]
    public void AMistypedParameter_IsNamed() =>
        AssertOneError(Invalid(o => o.Deploy("d3", "orch-typed", d => d.Cron("* * * * *").Parameters(new { count = "two", states = new[] { "OH" } }))), "d3", "Parameters.count", "count");

    [Test]
    public void AnUnknownParameter_IsNamed() =>
        AssertOneError(Invalid(o => o.Deploy("d4", "orch-record", d => d.Cron("* * * * *").Parameters(new { lable = "x" }))), "d4", "Parameters.lable", "lable");

    [Test]
    public void ParametersThatAreNotAnObject_AreRefused() =>
        AssertOneError(Invalid(o => o.Deploy("d5", "orch-record", d => d.Cron("* * * * *").Parameters(new[] { 1, 2 }))), "d5", "Parameters", "JSON object");

    [Test]
    public void ABadCron_IsNamedWithItsIndexAndTheParsersReason() =>
        AssertOneError(Invalid(o => o.Deploy("d6", "orch-record", d => d.Cron("0 6 * * *").Cron(AtRunTime("61 * * * *")))), "d6", "Cron[1]", "'61 * * * *'", "minute");

    [Test]
    public void AnUnknownTimeZone_IsNamed() =>
        AssertOneError(Invalid(o => o.Deploy("d7", "orch-record", d => d.Cron("0 6 * * *", AtRunTime("Mars/Olympus_Mons")))), "d7", "Cron[0].timeZone", "Mars/Olympus_Mons", "IANA");

    [TestCase(0.0)]
    [TestCase(-5.0)]
    [TestCase(1.5)]
    public void AnIntervalThatIsNotWholePositiveSeconds_IsRefused(double seconds) =>
        AssertOneError(Invalid(o => o.Deploy("d8", "orch-record", d => d.Interval(TimeSpan.FromSeconds(seconds)))), "d8", "Interval[0]", "whole number of seconds");

    [Test]
    public void ADeploymentWithoutASchedule_IsRefused() =>
        AssertOneError(Invalid(o => o.Deploy("d9", "orch-record")), "d9", "Schedules", "Cron(...) or Interval(...)");

    [Test]
    public void ACatchUpLimitBelowOne_IsRefused() =>
        AssertOneError(Invalid(o => o.Deploy("d10", "orch-record", d => d.Cron("* * * * *").CatchUp(CatchUp.All, 0))), "d10", "CatchUp.limit", "at least 1");

    [Test]
    public void ANegativeLateAfter_IsRefused() =>
        AssertOneError(Invalid(o => o.Deploy("d11", "orch-record", d => d.Cron("* * * * *").LateAfter(TimeSpan.FromSeconds(-1)))), "d11", "LateAfter", "zero or more");

    [Test]
    public void ADuplicateName_IsRefused() =>
        AssertOneError(Invalid(o => o
            .Deploy("twice", "orch-record", d => d.Cron("* * * * *"))
            .Deploy("twice", "orch-record", d => d.Cron("0 * * * *"))), "twice", "Name", "unique");

    [TestCase("")]
    [TestCase("a#b")]
    public void ANameQuartzKeysCannotCarry_IsRefused(string name) =>
        AssertOneError(Invalid(o => o.Deploy(name, "orch-record", d => d.Cron("* * * * *"))), name, "Name");

    [Test]
    public void EveryBadDeployment_IsListedInOneError()
    {
        var error = Invalid(o => o
            .Deploy("good", "orch-record", d => d.Cron("* * * * *"))
            .Deploy("bad-flow", "nope", d => d.Cron("* * * * *"))
            .Deploy("bad-cron", "orch-record", d => d.Cron(AtRunTime("* * *"), AtRunTime("Nowhere/Zone"))));

        Assert.Multiple(() =>
        {
            Assert.That(error.Errors.Select(e => (e.Deployment, e.Field)), Is.EqualTo(new[] { ("bad-flow", "Flow"), ("bad-cron", "Cron[0].timeZone"), ("bad-cron", "Cron[0]") }));
            Assert.That(error.Message, Does.StartWith("2 deployments are not valid; nothing was scheduled:"));
            Assert.That(error.Message, Does.Not.Contain("'good'"));
        });
    }

    [Test]
    public async Task ABadDeployment_StopsTheHostBeforeAnythingIsScheduled()
    {
        using var home = TempFolder.Create();
        await using var host = OrchestrationHost.Create(home.Path, new FakeTimeProvider(), o => o.Deploy("broken", "orch-record", d => d.Cron(AtRunTime("every day"))));

        var error = Assert.ThrowsAsync<DeploymentException>(() => host.Host.StartAsync());

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("deployment 'broken', Cron[0]: 'every day' is not a valid crontab expression"));
            Assert.That(File.Exists(home.File("quartz.db")), Is.False, "no job store was opened");
        });
    }

    [Test]
    public void ACronThatNeverFires_IsNamed() =>
        AssertOneError(Invalid(o => o.Deploy("d12", "orch-record", d => d.Cron(AtRunTime("0 0 30 2 *"), "America/New_York"))), "d12", "Cron[0]", "'0 0 30 2 *'", "30 February");

    [Test]
    public async Task ACronWhoseDayOfMonthHalfNeverFires_StartsAndRunsOnItsWeekdays()
    {
        // Crontab reads "0 0 30 2 1" as 30 February or any Monday in February: only the Mondays exist.
        using var home = TempFolder.Create();
        await using var host = await OrchestrationHost.StartAsync(home.Path, new FakeTimeProvider(new DateTimeOffset(2026, 1, 6, 12, 0, 0, TimeSpan.Zero)),
            o => o.Deploy("mondays", "orch-record", d => d.Cron(AtRunTime("0 0 30 2 1"))));

        var deployment = (await host.Deployments.ListAsync()).Single();

        Assert.That(deployment.NextFireTime, Is.EqualTo(new DateTimeOffset(2026, 2, 2, 0, 0, 0, TimeSpan.Zero)));
    }
}

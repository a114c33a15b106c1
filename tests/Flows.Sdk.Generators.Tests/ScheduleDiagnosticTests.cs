using Microsoft.CodeAnalysis;

namespace Flows.Sdk.Generators.Tests;

/// <summary>FLOWS1012: literal schedules and time zones are checked at compile time as the orchestration host reads them.</summary>
public sealed class ScheduleDiagnosticTests
{
    // The orchestration package's builder, as the generator sees it: matched by metadata name, never referenced.
    private const string Builder = """
        namespace Flows.Orchestration
        {
            public sealed class DeploymentBuilder
            {
                public DeploymentBuilder Cron(string cron, string? timeZone = null) => this;
            }
        }

        """;

    [TestCase("""[Flow(Schedule = "61 * * * *")]""", "Schedule of 'Jobs.Sync()': \"61 * * * *\" is not valid crontab: field 'minute' (1st): '61' is out of range 0-59", TestName = "MinuteOutOfRange_ReportsFLOWS1012")]
    [TestCase("""[Flow(Schedule = "0 0 ? * MON")]""", "Schedule of 'Jobs.Sync()': \"0 0 ? * MON\" is not valid crontab: field 'day of month' (3rd): '?' uses '?', which is Quartz cron syntax", TestName = "QuartzSyntax_ReportsFLOWS1012")]
    [TestCase("""[Flow(Schedule = "0 6 * *")]""", "but found 4", TestName = "WrongFieldCount_ReportsFLOWS1012")]
    [TestCase("""[Flow(Schedule = "0 6 * * *", TimeZone = "Mars/Olympus_Mons")]""", "TimeZone of 'Jobs.Sync()': \"Mars/Olympus_Mons\" is not a time zone this machine knows", TestName = "UnknownTimeZone_ReportsFLOWS1012")]
    public void BadLiteralOnAFlow_ReportsFLOWS1012(string attribute, string message)
    {
        var outcome = GeneratorHarness.Run($$"""public class Jobs { {{attribute}} public static void Sync() { } }""");

        Assert.That(outcome.DiagnosticIds, Is.EquivalentTo(new[] { "FLOWS1012" }));
        Assert.That(outcome.Diagnostics[0].GetMessage(System.Globalization.CultureInfo.InvariantCulture), Does.Contain(message));
    }

    [Test]
    public void BadScheduleOnAFlow_PointsAtTheScheduleArgument()
    {
        var outcome = GeneratorHarness.Run("""public class Jobs { [Flow(Retries = 1, Schedule = "0 0 * * 8")] public static void Sync() { } }""");

        var span = outcome.Diagnostics.Single().Location.SourceSpan;
        Assert.That(outcome.Diagnostics[0].Location.SourceTree!.ToString().Substring(span.Start, span.Length), Is.EqualTo("Schedule = \"0 0 * * 8\""));
    }

    [TestCase("""[Flow(Schedule = "0 6 * * 1-5", TimeZone = "America/New_York")]""", TestName = "CrontabAndIanaZone_ReportNothing")]
    [TestCase("""[Flow(Schedule = "*/10 0 6 * * MON-FRI", TimeZone = "UTC")]""", TestName = "SecondsFieldAndUtc_ReportNothing")]
    [TestCase("""[Flow(Schedule = "@daily")]""", TestName = "Macro_ReportsNothing")]
    [TestCase("""[Flow(Schedule = "0 0 13 * 5")]""", TestName = "BothDayFields_ReportNothing")]
    public void ValidLiteralOnAFlow_ReportsNothing(string attribute)
    {
        var outcome = GeneratorHarness.Run($$"""public class Jobs { {{attribute}} public static void Sync() { } }""");

        Assert.That(outcome.Diagnostics, Is.Empty);
    }

    [Test]
    public void WindowsTimeZoneId_ReportsNothing()
    {
        Assume.That(() => TimeZoneInfo.FindSystemTimeZoneById("Eastern Standard Time"), Throws.Nothing, "this machine reads Windows ids");

        var outcome = GeneratorHarness.Run("""public class Jobs { [Flow(Schedule = "0 6 * * *", TimeZone = "Eastern Standard Time")] public static void Sync() { } }""");

        Assert.That(outcome.Diagnostics, Is.Empty);
    }

    [TestCase("""d.Cron("61 * * * *")""", "DeploymentBuilder.Cron schedule: \"61 * * * *\" is not valid crontab: field 'minute' (1st): '61' is out of range 0-59", TestName = "CronCallWithBadMinute_ReportsFLOWS1012")]
    [TestCase("""d.Cron("0 6 * * 1-5", "America/Nowhere")""", "DeploymentBuilder.Cron time zone: \"America/Nowhere\" is not a time zone this machine knows", TestName = "CronCallWithBadZone_ReportsFLOWS1012")]
    [TestCase("""d.Cron(timeZone: "Europe/Atlantis", cron: "0 6 * * *")""", "\"Europe/Atlantis\" is not a time zone", TestName = "CronCallWithNamedArguments_ReportsFLOWS1012")]
    [TestCase("""d?.Cron(Schedules.Bad)""", "field 'hour' (2nd): '24' is out of range 0-23", TestName = "CronCallWithAConstant_ReportsFLOWS1012")]
    public void BadLiteralInACronCall_ReportsFLOWS1012(string call, string message)
    {
        var outcome = GeneratorHarness.Run(Builder + $$"""public static class Schedules { public const string Bad = "0 24 * * *"; public static void Deploy(Flows.Orchestration.DeploymentBuilder d) => {{call}}; }""");

        Assert.That(outcome.DiagnosticIds, Is.EquivalentTo(new[] { "FLOWS1012" }));
        Assert.That(outcome.Diagnostics[0].GetMessage(System.Globalization.CultureInfo.InvariantCulture), Does.Contain(message));
    }

    [TestCase("""d.Cron("0 6 * * 1-5", "America/New_York")""", TestName = "CronCallWithValidLiterals_ReportsNothing")]
    [TestCase("""d.Cron(cron)""", TestName = "CronCallWithAVariable_ReportsNothing")]
    [TestCase("""d.Cron(cron, zone)""", TestName = "CronCallWithVariables_ReportsNothing")]
    public void ValidOrNonConstantCronCall_ReportsNothing(string call)
    {
        var outcome = GeneratorHarness.Run(Builder + $$"""public static class Schedules { public static void Deploy(Flows.Orchestration.DeploymentBuilder d, string cron, string zone) => {{call}}; }""");

        Assert.That(outcome.Diagnostics, Is.Empty);
    }

    [Test]
    public void CronMethodOfAnotherType_ReportsNothing()
    {
        var outcome = GeneratorHarness.Run("""public sealed class Other { public void Cron(string cron) { } public static void Use(Other o) => o.Cron("not a cron"); }""");

        Assert.That(outcome.Diagnostics, Is.Empty);
    }

    [Test]
    public void EditingAnotherFile_LeavesCheckedCronCallsCached()
    {
        var plain = GeneratorHarness.Parse("public class Plain { public int A() => 1; }", "Plain.cs");
        var deployments = GeneratorHarness.Parse(Builder + """public static class Schedules { public static void Deploy(Flows.Orchestration.DeploymentBuilder d) => d.Cron("61 * * * *"); }""", "Deployments.cs");
        var compilation = GeneratorHarness.Compile(deployments, plain);
        var driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation);

        driver = driver.RunGenerators(compilation.ReplaceSyntaxTree(plain, GeneratorHarness.Parse("public class Plain { public int A() => 2; }", "Plain.cs")));

        var result = driver.GetRunResult();
        var reasons = result.Results.Single().TrackedSteps[TrackingNames.ScheduleCalls].SelectMany(step => step.Outputs).Select(output => output.Reason).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(reasons, Is.Not.Empty);
            Assert.That(reasons, Is.All.AnyOf(IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged));
            Assert.That(result.Diagnostics.Select(d => d.Id), Is.EquivalentTo(new[] { "FLOWS1012" }));
        });
    }
}

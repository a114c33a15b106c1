using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;

namespace Flows.Sdk.Generators.Tests;

/// <summary>Edits that do not touch a task or flow are served from the generator's cache.</summary>
public sealed class IncrementalTests
{
    private const string PlainClass = "public class Plain { public int A() => 1; }";

    [TestCase("public class Plain { public int A() => 1; } // a comment", TestName = "AddingACommentToAPlainFile_LeavesMethodsAndCatalogCached")]
    [TestCase("public class Plain { public int A() => 1; public int B() => A() + 1; }", TestName = "AddingAMethodToAPlainClass_LeavesMethodsAndCatalogCached")]
    public void EditingAFileWithoutTasks_LeavesMethodsAndCatalogCached(string editedPlainClass)
    {
        var plain = GeneratorHarness.Parse(PlainClass, "Plain.cs");
        var compilation = GeneratorHarness.Compile(GeneratorHarness.Parse(Samples.VoterSync, "Voters.cs"), plain);
        var driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation);

        driver = driver.RunGenerators(compilation.ReplaceSyntaxTree(plain, GeneratorHarness.Parse(editedPlainClass, "Plain.cs")));

        var steps = driver.GetRunResult().Results.Single().TrackedSteps;
        foreach (var name in new[] { TrackingNames.Methods, TrackingNames.Catalog, TrackingNames.CallSites, TrackingNames.AssemblyName })
        {
            var reasons = steps[name].SelectMany(step => step.Outputs).Select(output => output.Reason).ToList();
            Assert.That(reasons, Is.Not.Empty, name);
            Assert.That(reasons, Is.All.AnyOf(IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged), name);
        }
    }

    [Test]
    public void EditingATaskBody_ChangesItsSourceHash()
    {
        var before = GeneratorHarness.Run("public class Jobs { [Task] public static int Count(int[] rows) => rows.Length; }");

        var after = GeneratorHarness.Run("public class Jobs { [Task] public static int Count(int[] rows) => rows.Length + 1; }");

        Assert.That(HashOf(after), Is.Not.EqualTo(HashOf(before)));
    }

    [Test]
    public void ReformattingATask_KeepsItsSourceHash()
    {
        var before = GeneratorHarness.Run("public class Jobs { [Task] public static int Count(int[] rows) => rows.Length; }");

        var after = GeneratorHarness.Run("public class Jobs {\n  // counts\n  [Task(Retries = 2)]\n  public static int Count( int[] rows ) =>\n      rows.Length;\n}");

        Assert.That(HashOf(after), Is.EqualTo(HashOf(before)));
    }

    private static string HashOf(GeneratorOutcome outcome)
    {
        var match = Regex.Match(outcome.Source("Flows.Catalog.g.cs") ?? "", "\"Count\",\\s*\"([0-9a-f]{16})\"");
        Assert.That(match.Success, "the catalog has a source hash for Count");
        return match.Groups[1].Value;
    }
}

using System.Runtime.CompilerServices;

namespace Flows.Sdk.Generators.Tests;

/// <summary>
/// The generated sources for representative inputs equal the checked-in files under Golden/.
/// After an intended change to the output, regenerate them with
/// <c>FLOWS_UPDATE_GOLDEN=1 dotnet test tests/Flows.Sdk.Generators.Tests</c> and review the diff.
/// </summary>
public sealed class GoldenFileTests
{
    private static readonly object[] Cases =
    [
        new object[] { "VoterSync", Samples.VoterSync },
        new object[] { "ReturnShapes", Samples.ReturnShapes },
    ];

    [TestCaseSource(nameof(Cases))]
    public void GeneratedCatalog_MatchesGoldenFile(string name, string source)
    {
        var outcome = GeneratorHarness.Run(source);

        AssertGolden($"{name}.Catalog.cs.txt", outcome.Source("Flows.Catalog.g.cs"));
    }

    [TestCaseSource(nameof(Cases))]
    public void GeneratedInterceptors_MatchGoldenFile(string name, string source)
    {
        var outcome = GeneratorHarness.Run(source);

        AssertGolden($"{name}.Interceptors.cs.txt", outcome.Source("Flows.Interceptors.g.cs"));
    }

    [TestCaseSource(nameof(Cases))]
    public void GeneratedEntryPoints_MatchGoldenFile(string name, string source)
    {
        var outcome = GeneratorHarness.Run(source);

        AssertGolden($"{name}.EntryPoints.cs.txt", outcome.Source("Flows.EntryPoints.g.cs"));
    }

    [Test]
    public void CrossAssemblyInterceptors_MatchGoldenFile()
    {
        var library = GeneratorHarness.CompileLibrary("Shared.Jobs", Samples.SharedLibrary);

        var outcome = GeneratorHarness.Run(Samples.SharedConsumer, library);

        AssertGolden("SharedConsumer.Interceptors.cs.txt", outcome.Source("Flows.Interceptors.g.cs"));
    }

    private static void AssertGolden(string fileName, string? actual, [CallerFilePath] string thisFile = "")
    {
        Assert.That(actual, Is.Not.Null, $"{fileName}: nothing was generated");
        var path = Path.Combine(Path.GetDirectoryName(thisFile)!, "Golden", fileName);
        var normalized = Normalize(actual!);
        if (Environment.GetEnvironmentVariable("FLOWS_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, normalized);
            return;
        }

        Assert.That(File.Exists(path), $"{path} is missing; run with FLOWS_UPDATE_GOLDEN=1 to create it");
        Assert.That(normalized, Is.EqualTo(Normalize(File.ReadAllText(path))), $"{fileName} differs; if intended, run with FLOWS_UPDATE_GOLDEN=1");
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal);
}

using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;
using Flows.Tests.Support;

namespace Flows.PackageTests;

/// <summary>
/// Packs every package with scripts/pack.sh into a folder feed and builds projects that reference one package only,
/// as a user would. A unique pre-release version per run keeps NuGet's cache from serving an older build.
/// </summary>
[NonParallelizable]
public sealed class PackageTests
{
    private static readonly string RepoRoot = RepositoryRoot.Path;

    private DirectoryInfo _work = null!;
    private string _feed = null!;
    private string _version = null!;

    [OneTimeSetUp]
    public async Task PackEveryPackage()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        _work = Directory.CreateTempSubdirectory("flows-package-test-");
        _version = $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmssfff}";
        _feed = Directory.CreateDirectory(Path.Combine(_work.FullName, "feed")).FullName;
        await Run("bash", [Path.Combine(RepoRoot, "scripts", "pack.sh"), "--output", _feed, "--version", _version], RepoRoot, timeout.Token);

        // Keep the consumers outside the repository's Directory.Build.* and central package management.
        File.WriteAllText(Path.Combine(_work.FullName, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(_work.FullName, "Directory.Build.targets"), "<Project />");
        File.WriteAllText(Path.Combine(_work.FullName, "Directory.Packages.props"), "<Project />");
    }

    [OneTimeTearDown]
    public void DeleteTheFeed() => _work?.Delete(recursive: true);

    [Test]
    public void PackSh_ProducesEveryPackageAtOneVersion()
    {
        var packages = Directory.GetFiles(_feed, "*.nupkg").Select(Path.GetFileName);

        Assert.That(packages, Is.EquivalentTo(new[] { "Flows.Sdk", "Flows.Sdk.Cli", "Flows.Sdk.Cli.Tool", "Flows.Sdk.Dashboard", "Flows.Sdk.Notifications", "Flows.Sdk.Orchestration", "Flows.Sdk.PostgreSql", "Flows.Sdk.Redshift" }.Select(p => $"{p}.{_version}.nupkg")));
    }

    [Test]
    public void TheToolPackage_IsADotnetToolWhoseCommandIsFlows()
    {
        using var nupkg = ZipFile.OpenRead(Path.Combine(_feed, $"Flows.Sdk.Cli.Tool.{_version}.nupkg"));
        using var nuspec = nupkg.GetEntry("Flows.Sdk.Cli.Tool.nuspec")!.Open();
        var packageTypes = XDocument.Load(nuspec).Descendants().Where(e => e.Name.LocalName == "packageType").Select(e => e.Attribute("name")?.Value);
        var settings = nupkg.Entries.Single(e => e.FullName.EndsWith("/DotnetToolSettings.xml", StringComparison.Ordinal));
        using var settingsStream = settings.Open();
        var command = XDocument.Load(settingsStream).Descendants("Command").Single();

        Assert.That(packageTypes, Does.Contain("DotnetTool"));
        Assert.That(command.Attribute("Name")?.Value, Is.EqualTo("flows"));
        Assert.That(nupkg.Entries.Select(e => e.Name), Does.Contain("Flows.Sdk.Cli.dll").And.Contain("Flows.Sdk.PostgreSql.dll"), "the tool carries the command line and both stores");
    }

    // NuGet's default for a dependency is exclude="Build,Analyzers": the generator and the interceptors setting would
    // then be left to chance (the .NET SDK happens to apply them anyway; clients that honour exclude would not).
    [TestCase("Flows.Sdk.Orchestration")]
    [TestCase("Flows.Sdk.PostgreSql")]
    [TestCase("Flows.Sdk.Redshift")]
    public void APackageBuiltOnFlowsSdk_DependsOnAllOfIt_GeneratorAndBuildFilesIncluded(string package)
    {
        using var nupkg = ZipFile.OpenRead(Path.Combine(_feed, $"{package}.{_version}.nupkg"));
        using var nuspec = nupkg.GetEntry($"{package}.nuspec")!.Open();
        var dependency = XDocument.Load(nuspec).Descendants().Single(e => e.Name.LocalName == "dependency" && (string?)e.Attribute("id") == "Flows.Sdk");

        Assert.Multiple(() =>
        {
            Assert.That((string?)dependency.Attribute("version"), Is.EqualTo(_version));
            Assert.That((string?)dependency.Attribute("exclude") ?? "", Does.Not.Contain("Analyzers").And.Not.Contain("Build"));
        });
    }

    // The orchestration, store and Redshift packages must bring Flows.Sdk with its generator and build files: a user adds one line.
    [TestCase("Flows.Sdk")]
    [TestCase("Flows.Sdk.Orchestration")]
    [TestCase("Flows.Sdk.PostgreSql")]
    [TestCase("Flows.Sdk.Redshift")]
    [CancelAfter(600_000)]
    public async Task AConsumerWithOnlyAPackageReference_RunsItsFlowThroughTheRuntime(string package, CancellationToken cancellationToken)
    {
        var consumer = Directory.CreateDirectory(Path.Combine(_work.FullName, "consumer-" + package)).FullName;
        var template = Path.Combine(TestContext.CurrentContext.TestDirectory, "Consumer");
        File.WriteAllText(Path.Combine(consumer, "Consumer.csproj"), File.ReadAllText(Path.Combine(template, "Consumer.csproj.txt"))
            .Replace("$FLOWS_PACKAGE$", package, StringComparison.Ordinal)
            .Replace("$FLOWS_VERSION$", _version, StringComparison.Ordinal));
        File.Copy(Path.Combine(template, "Program.cs"), Path.Combine(consumer, "Program.cs"));
        File.WriteAllText(Path.Combine(consumer, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="flows-local" value="{_feed}" />
              </packageSources>
            </configuration>
            """);

        var output = await Run("dotnet", ["run", "-c", "Release"], consumer, cancellationToken);

        Assert.That(output, Does.Contain("result=30 calls=3 task-attempts=3 task-state=Completed flow=consumer-job:Completed"));
    }

    private static async Task<string> Run(string file, string[] arguments, string directory, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        var output = await stdout + await stderr;
        Assert.That(process.ExitCode, Is.Zero, $"{file} {string.Join(' ', arguments)} failed in {directory}:\n{output}");
        return output;
    }

}

using System.Diagnostics;

namespace Flows.PackageTests;

/// <summary>
/// Packs Flows.Sdk into a folder feed and builds a project that only references the package, as a user would.
/// A unique pre-release version per run keeps NuGet's cache from serving an older build.
/// </summary>
[NonParallelizable]
public sealed class PackageTests
{
    private static readonly string RepoRoot = FindRepoRoot();

    [Test]
    [CancelAfter(600_000)]
    public async Task AConsumerWithOnlyAPackageReference_RunsItsFlowThroughTheRuntime(CancellationToken cancellationToken)
    {
        var work = Directory.CreateTempSubdirectory("flows-package-test-");
        try
        {
            var version = $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmssfff}";
            var feed = Directory.CreateDirectory(Path.Combine(work.FullName, "feed")).FullName;
            await Run("dotnet", ["pack", Path.Combine(RepoRoot, "src", "Flows.Sdk", "Flows.Sdk.csproj"), "-c", "Release", "-o", feed, $"-p:Version={version}"], RepoRoot, cancellationToken);

            var consumer = Directory.CreateDirectory(Path.Combine(work.FullName, "consumer")).FullName;
            var template = Path.Combine(TestContext.CurrentContext.TestDirectory, "Consumer");
            File.WriteAllText(Path.Combine(consumer, "Consumer.csproj"), File.ReadAllText(Path.Combine(template, "Consumer.csproj.txt")).Replace("$FLOWS_VERSION$", version, StringComparison.Ordinal));
            File.Copy(Path.Combine(template, "Program.cs"), Path.Combine(consumer, "Program.cs"));
            File.WriteAllText(Path.Combine(consumer, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="flows-local" value="{feed}" />
                  </packageSources>
                </configuration>
                """);
            // Keep the consumer outside the repository's Directory.Build.* and central package management.
            File.WriteAllText(Path.Combine(work.FullName, "Directory.Build.props"), "<Project />");
            File.WriteAllText(Path.Combine(work.FullName, "Directory.Build.targets"), "<Project />");
            File.WriteAllText(Path.Combine(work.FullName, "Directory.Packages.props"), "<Project />");

            var output = await Run("dotnet", ["run", "-c", "Release"], consumer, cancellationToken);

            Assert.That(output, Does.Contain("result=30 calls=3 task-attempts=3 task-state=Completed flow=consumer-job:Completed"));
        }
        finally
        {
            work.Delete(recursive: true);
        }
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

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Flows.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Flows.sln not found above " + AppContext.BaseDirectory);
    }
}

using System.Diagnostics;

namespace Flows.Sdk.Docs.Tests;

/// <summary>What getting-started.md and diagnostics.md (FLOWS1006) say Flows.Sdk's build files do, checked by MSBuild itself.</summary>
public sealed class BuildFilesTests
{
    [TestCase("Mine", "Mine;Flows.Generated")]
    [TestCase("$(InterceptorsNamespaces);Mine", ";Flows.Generated;Mine")]
    [TestCase("", ";Flows.Generated")]
    public async Task BuildFiles_KeepFlowsGenerated_WhateverTheProjectSetsInterceptorsNamespacesTo(string projectValue, string expected)
    {
        var folder = Directory.CreateTempSubdirectory("flows-build-files-");
        try
        {
            var build = Path.Combine(MarkdownSnippets.RepoRoot, "src", "Flows.Sdk", "build");
            var project = Path.Combine(folder.FullName, "Consumer.proj");
            await File.WriteAllTextAsync(project, $"""
                <Project>
                  <Import Project="{Path.Combine(build, "Flows.Sdk.props")}" />
                  <PropertyGroup>
                    <InterceptorsNamespaces>{projectValue}</InterceptorsNamespaces>
                  </PropertyGroup>
                  <Import Project="{Path.Combine(build, "Flows.Sdk.targets")}" />
                </Project>
                """);

            var value = await EvaluateAsync(project, "InterceptorsNamespaces");

            Assert.That(value, Is.EqualTo(expected));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>The property's value after evaluation (<c>dotnet msbuild -getProperty</c>), within 60 s.</summary>
    private static async Task<string> EvaluateAsync(string project, string property)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["MSBUILDDISABLENODEREUSE"] = "1", ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0" },
        };
        foreach (var argument in new[] { "msbuild", project, $"-getProperty:{property}", "-nologo" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        Assert.That(process.ExitCode, Is.Zero, await error);
        return (await output).Trim();
    }
}

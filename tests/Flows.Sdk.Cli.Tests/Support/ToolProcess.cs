namespace Flows.Cli.Tests.Support;

/// <summary>The standalone <c>flows</c> tool (src/Flows.Sdk.Cli.Tool, built with the tests) as a child process.</summary>
public static class ToolProcess
{
    /// <summary>The tool's build output beside this test project's (same configuration and framework).</summary>
    public static string Assembly =>
        Path.Combine(
            AppContext.BaseDirectory.Replace(
                Path.Combine("tests", "Flows.Sdk.Cli.Tests") + Path.DirectorySeparatorChar,
                Path.Combine("src", "Flows.Sdk.Cli.Tool") + Path.DirectorySeparatorChar,
                StringComparison.Ordinal),
            "Flows.Sdk.Cli.Tool.dll");

    /// <summary>Runs <c>flows &lt;args&gt;</c> in <paramref name="workingDirectory"/> with only <paramref name="environment"/> (and NO_COLOR) set of the Flows variables.</summary>
    public static async Task<CliResult> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var variables = new Dictionary<string, string> { ["NO_COLOR"] = "1", ["FLOWS_HOME"] = Path.Combine(workingDirectory, "no-home-here") };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            variables[name] = value;
        }

        using var child = ChildProcess.StartAssembly(Assembly, workingDirectory, variables, args);
        var exitCode = await child.WaitForExitAsync();
        return new CliResult(exitCode, child.Output, child.Transcript);
    }
}

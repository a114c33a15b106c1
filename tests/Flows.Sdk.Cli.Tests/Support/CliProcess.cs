namespace Flows.Cli.Tests.Support;

/// <summary>
/// The helper application (tests/Flows.Sdk.CliHelper, whose Program is <c>app.RunFlowsAsync(args)</c>) as a child
/// process: one command line each, against a SQLite store in <see cref="Home"/> or the PostgreSQL store
/// <see cref="Environment"/> names.
/// </summary>
public static class CliProcess
{
    /// <summary>Starts <c>flows &lt;args&gt;</c> in <paramref name="home"/> (its FLOWS_HOME) with <paramref name="environment"/> added.</summary>
    public static ChildProcess Start(string home, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var variables = new Dictionary<string, string> { ["FLOWS_HOME"] = home, ["NO_COLOR"] = "1" };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            variables[name] = value;
        }

        return ChildProcess.Start("Flows.Sdk.Cli.Tests", "Flows.Sdk.CliHelper", home, variables, args);
    }

    /// <summary>Runs <c>flows &lt;args&gt;</c> to its end; returns its exit code and output.</summary>
    public static async Task<CliResult> RunAsync(string home, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        using var child = Start(home, environment, args);
        var exitCode = await child.WaitForExitAsync();
        return new CliResult(exitCode, child.Output, child.Transcript);
    }
}

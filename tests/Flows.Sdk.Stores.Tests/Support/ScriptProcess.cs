using Flows.Stores.Sqlite;

namespace Flows.Stores.Tests.Support;

/// <summary>
/// The script helper (tests/Flows.Sdk.ScriptHelper) running as a child process: a console script on the
/// zero-configuration engine, with its FLOWS_HOME in its working directory.
/// </summary>
internal static class ScriptProcess
{
    public const int SigInt = ChildProcess.SigInt;
    public const int SigTerm = ChildProcess.SigTerm;

    /// <summary>Starts the helper in <paramref name="workingDirectory"/> with its FLOWS_HOME there and the given variables.</summary>
    public static ChildProcess Start(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var variables = new Dictionary<string, string> { [SqliteRunStoreOptions.HomeVariable] = workingDirectory };
        foreach (var (name, value) in environment)
        {
            variables[name] = value;
        }

        return ChildProcess.Start("Flows.Sdk.Stores.Tests", "Flows.Sdk.ScriptHelper", workingDirectory, variables, arguments);
    }
}

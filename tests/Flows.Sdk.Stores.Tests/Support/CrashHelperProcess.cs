using System.Diagnostics;

namespace Flows.Stores.Tests.Support;

/// <summary>Starts tests/Flows.Sdk.CrashHelper, built with the tests, as a child process with its output redirected.</summary>
internal static class CrashHelperProcess
{
    public static Process Start(params string[] arguments)
    {
        var helper = Path.Combine(
            AppContext.BaseDirectory.Replace("Flows.Sdk.Stores.Tests", "Flows.Sdk.CrashHelper", StringComparison.Ordinal),
            "Flows.Sdk.CrashHelper.dll");
        Assert.That(helper, Does.Exist, "the crash helper is built with the tests");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["exec", helper, .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start)!;
    }
}

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

    /// <summary>Runs the helper until its flow has recorded its tasks and hangs (it prints READY), then kills the process (SIGKILL).</summary>
    public static async Task RunUntilReadyThenKillAsync(CancellationToken cancellationToken, params string[] arguments)
    {
        using var child = Start(arguments);
        string? line;
        try
        {
            line = await child.StandardOutput.ReadLineAsync(cancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
        }
        finally
        {
            child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync(cancellationToken);
        }

        Assert.That(line, Is.EqualTo("READY"), await child.StandardError.ReadToEndAsync(cancellationToken));
    }

    /// <summary>Runs the helper to its end; returns the first line it printed.</summary>
    public static async Task<string?> RunToEndAsync(CancellationToken cancellationToken, params string[] arguments)
    {
        using var child = Start(arguments);
        var output = await child.StandardOutput.ReadToEndAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
        await child.WaitForExitAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        Assert.That(child.ExitCode, Is.Zero, await child.StandardError.ReadToEndAsync(cancellationToken));
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
    }
}

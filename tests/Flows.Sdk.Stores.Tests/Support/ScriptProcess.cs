using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Channels;
using Flows.Stores.Sqlite;

namespace Flows.Stores.Tests.Support;

/// <summary>
/// The script helper (tests/Flows.Sdk.ScriptHelper) running as a child process: a console script on the
/// zero-configuration engine. Reads its output line by line, sends it real signals, and kills it if a test leaves it running.
/// </summary>
internal sealed class ScriptProcess : IDisposable
{
    public const int SigInt = 2;
    public const int SigTerm = 15;

    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly StringBuilder _transcript = new();

    private ScriptProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Received(e.Data, "out");
        _process.ErrorDataReceived += (_, e) => Received(e.Data, "err");
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Everything the script printed so far, each line marked out or err.</summary>
    public string Transcript
    {
        get
        {
            lock (_transcript)
            {
                return _transcript.ToString();
            }
        }
    }

    /// <summary>Starts the helper in <paramref name="workingDirectory"/> with its FLOWS_HOME there and the given variables.</summary>
    public static ScriptProcess Start(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var helper = Path.Combine(
            AppContext.BaseDirectory.Replace("Flows.Sdk.Stores.Tests", "Flows.Sdk.ScriptHelper", StringComparison.Ordinal),
            "Flows.Sdk.ScriptHelper.dll");
        Assert.That(helper, Does.Exist, "the script helper is built with the tests");
        // Started as from a terminal, where Ctrl+C reaches it: a test run in the background of a non-interactive shell
        // (scripts/test.sh) ignores SIGINT, every child inherits that, and the runtime keeps ignoring it. env (GNU
        // coreutils) puts SIGINT back to its default, then becomes the script (same pid).
        var start = new ProcessStartInfo("env")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "--default-signal=INT", "dotnet", "exec", helper }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        // Nothing of the test run's own environment may configure the script; the test says what it wants.
        start.Environment.Remove("DOTNET_ENVIRONMENT");
        start.Environment[SqliteRunStoreOptions.HomeVariable] = workingDirectory;
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return new ScriptProcess(Process.Start(start)!);
    }

    /// <summary>Waits until the script prints <paramref name="line"/> (on either stream), failing after 60 s with what it printed.</summary>
    public async Task WaitForLineAsync(string line, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            while (await _lines.Reader.ReadAsync(timeout.Token) != line)
            {
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
        {
            Assert.Fail($"The script did not print '{line}'. It printed:\n{Transcript}");
        }
    }

    /// <summary>Sends the script a signal, as Ctrl+C (SIGINT) or a service manager (SIGTERM) would.</summary>
    public void Signal(int signal)
    {
        if (Kill(_process.Id, signal) != 0)
        {
            Assert.Fail($"kill({_process.Id}, {signal}) failed with errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    /// <summary>Waits for the script to exit on its own, failing after <paramref name="within"/>; returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan within, CancellationToken cancellationToken)
    {
        try
        {
            await _process.WaitForExitAsync(cancellationToken).WaitAsync(within, cancellationToken);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"The script did not exit within {within.TotalSeconds} s. It printed:\n{Transcript}");
        }

        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(TimeSpan.FromSeconds(30));
        }

        _process.Dispose();
    }

    private void Received(string? line, string stream)
    {
        if (line is null)
        {
            return;
        }

        lock (_transcript)
        {
            _transcript.Append(stream).Append(": ").AppendLine(line);
        }

        _lines.Writer.TryWrite(line);
    }

    // DllImport, not LibraryImport: the generated stub would need AllowUnsafeBlocks for one int-only call.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Kill(int pid, int signal);
}

using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Channels;

namespace Flows.Tests.Support;

/// <summary>
/// A helper program built beside the tests (a project reference with <c>ReferenceOutputAssembly="false"</c>) running as
/// a child process: its standard output kept apart (to parse JSON), every line of both streams in a transcript, real
/// signals sent to it, and killed if a test leaves it running.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    public const int SigInt = 2;
    public const int SigTerm = 15;

    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly StringBuilder _transcript = new();
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _outputClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _errorClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChildProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Received(e.Data, "out", _outputClosed);
        _process.ErrorDataReceived += (_, e) => Received(e.Data, "err", _errorClosed);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    /// <summary>Everything the process printed so far, each line marked out or err.</summary>
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

    /// <summary>What the process printed on its standard output so far.</summary>
    public string Output
    {
        get
        {
            lock (_transcript)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Starts <paramref name="helper"/> (the test project's name in the build output path is replaced by the helper's)
    /// with <paramref name="arguments"/> in <paramref name="workingDirectory"/>. The test run's own <c>DOTNET_ENVIRONMENT</c>
    /// and <c>Flows__*</c> variables are removed; <paramref name="environment"/> says what the child gets.
    /// </summary>
    public static ChildProcess Start(
        string testProject,
        string helper,
        string workingDirectory,
        IReadOnlyDictionary<string, string> environment,
        params string[] arguments)
    {
        var assembly = Path.Combine(AppContext.BaseDirectory.Replace(testProject, helper, StringComparison.Ordinal), helper + ".dll");
        return StartAssembly(assembly, workingDirectory, environment, arguments);
    }

    /// <summary>
    /// Starts the built program <paramref name="assembly"/> (a path to its .dll, built with the tests) as
    /// <see cref="Start"/> does: for a program outside tests/, such as a tool under src/.
    /// </summary>
    public static ChildProcess StartAssembly(
        string assembly,
        string workingDirectory,
        IReadOnlyDictionary<string, string> environment,
        params string[] arguments)
    {
        Assert.That(assembly, Does.Exist, $"{Path.GetFileNameWithoutExtension(assembly)} is built with the tests");

        // Started as from a terminal, where Ctrl+C reaches it: a test run in the background of a non-interactive shell
        // (scripts/test.sh) ignores SIGINT, every child inherits that, and the runtime keeps ignoring it. env (GNU
        // coreutils) puts SIGINT back to its default, then becomes the program (same pid).
        var start = new ProcessStartInfo("env")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var argument in new[] { "--default-signal=INT", "dotnet", "exec", assembly }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in start.Environment.Keys.Where(k => k == "DOTNET_ENVIRONMENT" || k.StartsWith("Flows__", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return new ChildProcess(Process.Start(start)!);
    }

    /// <summary>Waits until the process prints a line containing <paramref name="text"/> (on either stream), failing after 60 s with what it printed; returns the line.</summary>
    public async Task<string> WaitForLineAsync(string text, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Eventually.Limit);
        try
        {
            while (true)
            {
                var line = await _lines.Reader.ReadAsync(timeout.Token);
                if (line.Contains(text, StringComparison.Ordinal))
                {
                    return line;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
        {
            Assert.Fail($"The process did not print '{text}'. It printed:\n{Transcript}");
            throw;
        }
    }

    /// <summary>Sends the process a signal, as Ctrl+C (SIGINT) or a service manager (SIGTERM) would.</summary>
    public void Signal(int signal)
    {
        if (Kill(_process.Id, signal) != 0)
        {
            Assert.Fail($"kill({_process.Id}, {signal}) failed with errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    /// <summary>Waits for the process to exit on its own and its output to be read, failing after <paramref name="within"/> (default <see cref="Eventually.Limit"/>); returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan? within = null, CancellationToken cancellationToken = default)
    {
        var limit = within ?? Eventually.Limit;
        try
        {
            await _process.WaitForExitAsync(cancellationToken).WaitAsync(limit, cancellationToken);
            await Task.WhenAll(_outputClosed.Task, _errorClosed.Task).WaitAsync(limit, cancellationToken);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"The process did not exit within {limit.TotalSeconds} s. It printed:\n{Transcript}");
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

    private void Received(string? line, string stream, TaskCompletionSource closed)
    {
        if (line is null)
        {
            closed.TrySetResult();
            return;
        }

        lock (_transcript)
        {
            _transcript.Append(stream).Append(": ").AppendLine(line);
            if (stream == "out")
            {
                _output.AppendLine(line);
            }
        }

        _lines.Writer.TryWrite(line);
    }

    // DllImport, not LibraryImport: the generated stub would need AllowUnsafeBlocks for one int-only call.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Kill(int pid, int signal);
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Flows.Orchestration.Tests.Cluster;

/// <summary>
/// One child process of a test helper: Flows.Sdk.SchedulerHelper (a real host with orchestration and one deployment,
/// "tick") or Flows.Sdk.ClusterHelper (a replica of a clustered application, or a client of one), whose events arrive
/// as lines on its standard output and which reads commands on its standard input.
/// </summary>
internal sealed class HelperProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private HelperProcess(Process process, string name)
    {
        _process = process;
        Name = name;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                _lines.Enqueue(line);
                if (line == "READY")
                {
                    _ready.TrySetResult();
                }
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                _lines.Enqueue("STDERR " + line);
            }
        };
        _process.Exited += (_, _) => _ready.TrySetException(new InvalidOperationException($"{Name} exited before it was ready:\n{Output}"));
    }

    public string Name { get; }

    /// <summary>The operating system's id of the process (a crash names the owner by it).</summary>
    public int Pid => _process.Id;

    /// <summary>Every line so far (standard error's prefixed <c>STDERR</c>).</summary>
    public IReadOnlyList<string> Lines => [.. _lines];

    public string Output => string.Join('\n', _lines);

    /// <summary>The events the process logged: (event id, slot) for those about a slot.</summary>
    public IReadOnlyList<(int Id, DateTimeOffset Slot)> SlotEvents =>
        [.. _lines.Where(l => l.StartsWith("EVENT ", StringComparison.Ordinal))
            .Select(l => l.Split(' '))
            .Where(p => p[3] != "-")
            .Select(p => (int.Parse(p[1], CultureInfo.InvariantCulture), DateTimeOffset.Parse(p[3], CultureInfo.InvariantCulture)))];

    /// <summary>Starts Flows.Sdk.SchedulerHelper, a one-deployment host configured by <paramref name="settings"/> (configuration keys and values).</summary>
    public static HelperProcess Start(string name, IReadOnlyDictionary<string, string> settings) => Start("Flows.Sdk.SchedulerHelper", name, settings);

    /// <summary>
    /// Starts <paramref name="helper"/> (a helper project built beside the tests, by their project references) with
    /// <paramref name="settings"/> as its command line.
    /// </summary>
    public static HelperProcess Start(string helper, string name, IReadOnlyDictionary<string, string> settings)
    {
        var assembly = Path.Combine(
            AppContext.BaseDirectory.Replace("Flows.Sdk.Orchestration.Tests", helper, StringComparison.Ordinal),
            helper + ".dll");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(assembly);
        foreach (var (key, value) in settings)
        {
            info.ArgumentList.Add("--" + key);
            info.ArgumentList.Add(value);
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new HelperProcess(process, name);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    public Task ReadyAsync() => _ready.Task;

    /// <summary>Writes <paramref name="command"/> as one line on the process's standard input.</summary>
    public async Task SendAsync(string command)
    {
        await _process.StandardInput.WriteLineAsync(command);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Kills the process at once (SIGKILL), as an out-of-memory killer or a lost machine would; waits until it is gone.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync().WaitAsync(Eventually.Limit);
    }

    /// <summary>Asks the host to stop as a container platform would (its graceful path) and waits for the process to end.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        await SendAsync("stop");
        await _process.WaitForExitAsync().WaitAsync(Eventually.Limit);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(Eventually.Limit);
            }
        }
        finally
        {
            _process.Dispose();
        }
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Flows.Orchestration.Tests.Cluster;

/// <summary>
/// One Flows.Sdk.SchedulerHelper child process: a real host with orchestration and one deployment ("tick"), whose
/// orchestration events arrive as lines on its standard output.
/// </summary>
internal sealed class SchedulerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SchedulerProcess(Process process, string name)
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

    public string Output => string.Join('\n', _lines);

    /// <summary>The events the process logged: (event id, slot) for those about a slot.</summary>
    public IReadOnlyList<(int Id, DateTimeOffset Slot)> SlotEvents =>
        [.. _lines.Where(l => l.StartsWith("EVENT ", StringComparison.Ordinal))
            .Select(l => l.Split(' '))
            .Where(p => p[3] != "-")
            .Select(p => (int.Parse(p[1], CultureInfo.InvariantCulture), DateTimeOffset.Parse(p[3], CultureInfo.InvariantCulture)))];

    /// <summary>Starts the helper with a one-deployment host configured by <paramref name="settings"/> (configuration keys and values).</summary>
    public static SchedulerProcess Start(string name, IReadOnlyDictionary<string, string> settings)
    {
        var helper = Path.Combine(
            AppContext.BaseDirectory.Replace("Flows.Sdk.Orchestration.Tests", "Flows.Sdk.SchedulerHelper", StringComparison.Ordinal),
            "Flows.Sdk.SchedulerHelper.dll");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(helper);
        foreach (var (key, value) in settings)
        {
            info.ArgumentList.Add("--" + key);
            info.ArgumentList.Add(value);
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new SchedulerProcess(process, name);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    public Task ReadyAsync() => _ready.Task;

    /// <summary>Asks the host to stop as a container platform would (its graceful path) and waits for the process to end.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        await _process.StandardInput.WriteLineAsync("stop");
        await _process.StandardInput.FlushAsync();
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

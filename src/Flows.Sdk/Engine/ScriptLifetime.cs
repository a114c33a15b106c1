using System.Globalization;
using System.Runtime.InteropServices;
using Flows.Runs;
using Microsoft.Extensions.Configuration;

namespace Flows.Engine;

/// <summary>
/// What Ctrl+C (SIGINT) and SIGTERM do to a console script on the zero-configuration engine, as a Generic Host's
/// console lifetime does for a host. The first signal cancels every run in progress through its token, so runs end
/// <see cref="RunState.Cancelled"/> and their hooks run; it waits up to the shutdown timeout for them, records those
/// still going as Cancelled (saying they ignored the cancellation), writes everything recorded to the store (waiting
/// up to the timeout again), then exits with 128 + the signal's number: 130 for SIGINT, 143 for SIGTERM. A second
/// signal takes the runtime's default action and ends the process at once. SIGQUIT (Ctrl+\) is left alone: it quits
/// at once. When an application engine is in use (<see cref="FlowEngine.Default"/>, which a host sets) the signal is
/// left to that application's own lifetime.
/// </summary>
internal sealed class ScriptLifetime
{
    /// <summary>The setting giving the shutdown timeout in seconds.</summary>
    public const string TimeoutKey = "Flows:ShutdownTimeoutSeconds";

    /// <summary>
    /// How long runs have to end after the signal, and then the store to take what they recorded: twice this fits
    /// the 10 s a container runtime (docker stop) waits before it kills the process.
    /// </summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The longest timeout accepted, in seconds: an hour is already longer than any service manager waits.</summary>
    private const int MaxTimeoutSeconds = 3600;

    private readonly FlowEngine _engine;
    private readonly LiveRuns _live;
    private readonly TimeSpan _timeout;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Kept referenced: a registration that is collected stops handling its signal.
    private readonly List<PosixSignalRegistration> _registrations = [];

    /// <summary>0 until the first signal is taken, then the code the process exits with.</summary>
    private int _exitCode;

    private ScriptLifetime(FlowEngine engine, TimeSpan timeout)
    {
        _engine = engine;
        _live = engine.LiveRuns ?? throw new ArgumentException("The engine does not keep its live runs.", nameof(engine));
        _timeout = timeout;
    }

    /// <summary>The shutdown timeout <see cref="TimeoutKey"/> sets, else <see cref="DefaultTimeout"/>; fails naming the setting when it is not a number of seconds from 0 to an hour.</summary>
    public static TimeSpan Timeout(IConfiguration configuration)
    {
        if (configuration[TimeoutKey] is not { } raw)
        {
            return DefaultTimeout;
        }

        return double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds is >= 0 and <= MaxTimeoutSeconds
            ? TimeSpan.FromSeconds(seconds)
            : throw new InvalidOperationException($"Configuration value '{TimeoutKey}' = '{raw}' is not valid: expected a number of seconds from 0 to {MaxTimeoutSeconds}.");
    }

    /// <summary>Handles SIGINT and SIGTERM for <paramref name="engine"/> from now on, and writes its records out when the process exits.</summary>
    public static void Attach(FlowEngine engine, TimeSpan timeout)
    {
        var lifetime = new ScriptLifetime(engine, timeout);
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM })
        {
            try
            {
                lifetime._registrations.Add(PosixSignalRegistration.Create(signal, lifetime.OnSignal));
            }
            catch (PlatformNotSupportedException)
            {
                // No signals here (a browser, a mobile OS): the process exit below still writes the records out.
            }
        }

        AppDomain.CurrentDomain.ProcessExit += lifetime.OnProcessExit;
        AppDomain.CurrentDomain.UnhandledException += lifetime.OnUnhandledException;
    }

    private static string NameOf(PosixSignal signal) => signal == PosixSignal.SIGINT ? "SIGINT" : "SIGTERM";

    private void OnSignal(PosixSignalContext context)
    {
        if (FlowEngine.Default is { } application && !ReferenceEquals(application, _engine))
        {
            return;
        }

        var exitCode = context.Signal == PosixSignal.SIGINT ? 130 : 143;
        if (Interlocked.CompareExchange(ref _exitCode, exitCode, 0) != 0)
        {
            // The second signal: the default action ends the process now, leaving unfinished runs for the store to find.
            return;
        }

        context.Cancel = true;
        Environment.ExitCode = exitCode;
        var signal = NameOf(context.Signal);
        var runs = _live.Snapshot().Count;
        Console.Error.WriteLine(
            $"Flows: {signal} received: cancelling {runs} run{(runs == 1 ? string.Empty : "s")} in progress (waiting up to {Seconds(_timeout)} s "
            + $"for {(runs == 1 ? "it" : "them")} to end), then saving what was recorded.");
        if (context.Signal == PosixSignal.SIGINT)
        {
            Console.Error.WriteLine("Flows: press Ctrl+C again to exit at once.");
        }

        _ = Task.Run(() => StopAsync(signal));
    }

    private async Task StopAsync(string signal)
    {
        try
        {
            _engine.Interrupt(signal);
            if (!await EndsWithinAsync(_live.WhenNoneAsync()).ConfigureAwait(false))
            {
                var message = $"Interrupted by {signal}; the run did not stop within {Seconds(_timeout)} s of being cancelled, "
                    + "so the process exited under it and its hooks did not run.";
                foreach (var run in _live.Snapshot())
                {
                    _engine.Lifecycle.Abandoned(run, message);
                }
            }

            // Disposing writes out everything recorded and closes the store; bounded, so a stuck store cannot hold the
            // process (the process exit's own dispose then finds the engine disposing and does not wait either).
            if (!await EndsWithinAsync(_engine.DisposeAsync().AsTask()).ConfigureAwait(false))
            {
                Console.Error.WriteLine($"Flows: the run store did not take every record within {Seconds(_timeout)} s; exiting without them.");
            }
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine($"Flows: could not save every record before exiting: {_engine.Redact(ex.Message)}");
        }
        finally
        {
            // Set before exiting: Environment.Exit runs OnProcessExit on this thread, which waits for it.
            _stopped.TrySetResult();
        }

        Environment.Exit(Volatile.Read(ref _exitCode));
    }

    /// <summary>False when <paramref name="task"/> did not end within the timeout; its failure is thrown.</summary>
    private async Task<bool> EndsWithinAsync(Task task)
    {
        try
        {
            await task.WaitAsync(_timeout).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>A script that ends during the shutdown (its Main returned) waits for the records, then writes them out as any exit does.</summary>
    private void OnProcessExit(object? sender, EventArgs e)
    {
        WaitForStop();
        _engine.Dispose();
    }

    /// <summary>
    /// The script's Main awaited a run the signal cancelled and ends with its <see cref="OperationCanceledException"/>:
    /// that is the stop the signal asked for, not a crash, so the process exits with the signal's code once the
    /// records are saved, instead of aborting with a stack trace.
    /// </summary>
    private void OnUnhandledException(object sender, UnhandledExceptionEventArgs e)
    {
        if (Volatile.Read(ref _exitCode) is var exitCode and not 0 && e.ExceptionObject is OperationCanceledException)
        {
            WaitForStop();
            Environment.Exit(exitCode);
        }
    }

    private void WaitForStop()
    {
        if (Volatile.Read(ref _exitCode) != 0)
        {
            // Process-exit and unhandled-exception handlers are synchronous: blocking is the only way to wait here,
            // and the stop never waits on this thread (it runs on the pool), so it cannot deadlock.
            _stopped.Task.Wait(_timeout * 2 + TimeSpan.FromSeconds(1));
        }
    }

    private static string Seconds(TimeSpan timeout) => timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
}

using Flows.Engine;

namespace Flows.Tests.Fixtures;

/// <summary>Tasks whose calls exercise the cheap paths of a task call: no retry taken, timeouts reused, the ambient run restored.</summary>
public static class HotPath
{
    public static readonly AsyncLocal<string?> Ambient = new();

    [Task("hot-doubled")]
    public static int Doubled(int x) => x * 2;

    /// <summary>Sets an async-local value, as a plain method may, and returns the run it ran as.</summary>
    [Task("hot-sets-ambient")]
    public static Guid? SetsAmbient(string value)
    {
        Ambient.Value = value;
        return Flow.RunId;
    }

    [Task("hot-timeout-token", TimeoutSeconds = 30)]
    public static CancellationToken TimeoutToken(CancellationToken cancellationToken) => cancellationToken;

    /// <summary>Waits until its token is cancelled: with a 50 ms timeout on the system clock, it times out.</summary>
    [Task("hot-times-out", TimeoutSeconds = 0.05)]
    public static void TimesOut(CancellationToken cancellationToken)
    {
        cancellationToken.WaitHandle.WaitOne();
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>Fails on its first attempt (with an error it does not retry when <paramref name="fatal"/>), then returns its attempt.</summary>
    [Task("hot-fails-once", Retries = 2, NoRetryOn = [typeof(ArgumentException)])]
    public static int FailsOnce(bool fatal) => Flow.Attempt switch
    {
        1 when fatal => throw new ArgumentException("fatal first attempt"),
        1 => throw new InvalidOperationException("transient first attempt"),
        var attempt => attempt,
    };

    /// <summary>The live run of the last <see cref="Remembered"/> call, held weakly: a finished run must not be kept alive by the engine.</summary>
    public static WeakReference<object>? LastRun { get; private set; }

    /// <summary>Fails its first attempt, so it goes through the retry pipeline too, and remembers its run weakly.</summary>
    [Task("hot-remembered", Retries = 1, TimeoutSeconds = 30)]
    public static int Remembered(int x, CancellationToken cancellationToken)
    {
        LastRun = new WeakReference<object>(RunContext.Current!);
        return Flow.Attempt == 1 ? throw new InvalidOperationException("first attempt fails") : x * 2;
    }
}

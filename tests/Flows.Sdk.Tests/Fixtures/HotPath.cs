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

    /// <summary>The task the last <see cref="OwnTask"/> or <see cref="OwnTaskTimed"/> body returned.</summary>
    public static Task<int>? LastBodyTask { get; private set; }

    /// <summary>Returns a completed task of its own (1000 and up: results the runtime does not cache).</summary>
    [Task("hot-own-task")]
    public static Task<int> OwnTask(int x) => LastBodyTask = Task.FromResult(1000 + x);

    [Task("hot-own-task-timed", Retries = 2, TimeoutSeconds = 30)]
    public static Task<int> OwnTaskTimed(int x, CancellationToken cancellationToken) => LastBodyTask = Task.FromResult(1000 + x);

    /// <summary>Throws instead of returning a task, as a method that is not async may.</summary>
    [Task("hot-throws-at-once")]
    public static Task<int> ThrowsAtOnce(bool cancelled) =>
        cancelled ? throw new OperationCanceledException("cancelled before any task") : throw new InvalidOperationException("thrown before any task");

    /// <summary>Throws instead of returning a task on its first attempt, then returns one.</summary>
    [Task("hot-throws-at-once-then-returns", Retries = 1, TimeoutSeconds = 30)]
    public static Task<int> ThrowsAtOnceThenReturns(CancellationToken cancellationToken) =>
        Flow.Attempt == 1 ? throw new InvalidOperationException("thrown before any task") : Task.FromResult(Flow.Attempt);
}

/// <summary>Tasks whose runs are drained by hand, as the recorder's writer drains them, while they run.</summary>
public static class Drained
{
    /// <summary>
    /// Its first attempt hands its transitions so far (all implied by the run's fields) to <paramref name="taken"/>
    /// and fails; the retry makes the run list its transitions. Returns its live run.
    /// </summary>
    [Task("hot-drained-mid-run", Retries = 1)]
    public static object DrainedMidRun(List<Flows.Runs.StateTransition> taken)
    {
        var run = RunContext.Current!;
        if (Flow.Attempt == 1)
        {
            run.TakeChanges(taken);
            throw new InvalidOperationException("first attempt fails");
        }

        return run;
    }
}

/// <summary>A flow whose body calls <see cref="HotPath.OwnTask"/>.</summary>
public static class HotPathFlows
{
    /// <summary>The task the call handed back, and the one the task's body returned.</summary>
    [Flow("hot-calls-own-task")]
    public static async Task<(Task<int> Returned, Task<int>? Body)> CallsOwnTask()
    {
        var returned = HotPath.OwnTask(7);
        await returned;
        return (returned, HotPath.LastBodyTask);
    }
}

using Flows.Runs;
using Microsoft.Extensions.Logging;

namespace Flows.ScriptHelper;

/// <summary>The flows the script tests run in a child process.</summary>
internal static class Script
{
    private static int _flakyAttempts;
    private static int _inSlot;
    private static int _mostInSlot;
    private static readonly TaskCompletionSource SecondInSlot = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static async Task<int> Interrupted(int steps, bool honourToken)
    {
        await InterruptedJob(steps, honourToken);
        Console.WriteLine("FINISHED");
        return 0;
    }

    public static async Task<int> Configured()
    {
        var length = await ConfiguredJob();
        Console.WriteLine($"SECRET-LENGTH {length}");
        Console.WriteLine($"MOST-IN-SLOT {_mostInSlot}");
        return 0;
    }

    [Task("script-step")]
    public static int Step(int index) => index * 2;

    [Task("script-wait")]
    public static async Task Wait(bool honourToken, CancellationToken cancellationToken)
    {
        Console.WriteLine("READY");
        await Task.Delay(Timeout.Infinite, honourToken ? cancellationToken : CancellationToken.None);
    }

    [Flow("script-interrupted", OnCancellation = nameof(Cancelled), OnCrashed = nameof(Crashed))]
    public static async Task InterruptedJob(int steps, bool honourToken, CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < steps; i++)
        {
            Step(i);
        }

        await Wait(honourToken, cancellationToken);
    }

    public static void Cancelled(RunRecord run) => Console.WriteLine($"HOOK cancelled {run.State}");

    public static void Crashed(RunRecord run) => Console.WriteLine($"HOOK crashed {run.State}");

    /// <summary>Fails its first two attempts: it completes only with two retries, which configuration gives it.</summary>
    [Task("script-flaky")]
    public static int Flaky() =>
        Interlocked.Increment(ref _flakyAttempts) <= 2 ? throw new InvalidOperationException("not yet") : _flakyAttempts;

    /// <summary>
    /// Holds a slot of tag <c>script_slot</c> until a second call is inside too, or 2 s have passed: with the limit
    /// configuration sets (1) the second call cannot enter, so at most one is ever inside.
    /// </summary>
    [Task("script-slotted", Tags = ["script_slot"])]
    public static async Task Slotted(CancellationToken cancellationToken)
    {
        var inside = Interlocked.Increment(ref _inSlot);
        InterlockedMax(ref _mostInSlot, inside);
        if (inside > 1)
        {
            SecondInSlot.TrySetResult();
        }

        try
        {
            await SecondInSlot.Task.WaitAsync(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Alone in the slot, as the limit wants.
        }
        finally
        {
            Interlocked.Decrement(ref _inSlot);
        }
    }

    [Flow("script-configured")]
    public static async Task<int> ConfiguredJob()
    {
        Flaky();
        await Flow.Map([1, 2], _ => Slotted(default), maxConcurrency: 2);
        var secret = await Flow.Secrets.GetAsync("script-token");
        Flow.Logger.LogInformation("Resolved the token {Token}", secret);
        return secret.Length;
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current && Interlocked.CompareExchange(ref target, value, current) is var seen && seen != current)
        {
            current = seen;
        }
    }
}

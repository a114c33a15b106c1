using System.Collections.Concurrent;

namespace Flows.Orchestration.Tests.Fixtures;

/// <summary>Flows the orchestration tests deploy: one that records its calls, one with typed parameters, one that waits for a signal.</summary>
public static class Scheduled
{
    /// <summary>Calls of <see cref="Record"/>, by label.</summary>
    public static readonly ConcurrentQueue<string> Calls = new();

    /// <summary>Released by a test to let <see cref="Block"/> runs end; replaced per test.</summary>
    public static TaskCompletionSource Gate { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Signals each <see cref="Block"/> run that started.</summary>
    public static readonly ConcurrentQueue<string> Started = new();

    [Flow("orch-record")]
    public static void Record(string label = "none") => Calls.Enqueue(label);

    [Flow("orch-typed")]
    public static int Typed(int count, string[] states) => count + states.Length;

    [Flow("orch-block")]
    public static async Task Block(string label = "none", CancellationToken cancellationToken = default)
    {
        Started.Enqueue(label);
        await Gate.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }
}

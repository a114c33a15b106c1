using System.Collections.Concurrent;

namespace Flows.Orchestration.Tests.Fixtures;

/// <summary>Flows the orchestration tests deploy: one that records its calls, one with typed parameters, one that waits for a signal.</summary>
public static class Scheduled
{
    /// <summary>Calls of <see cref="Record"/>, by label.</summary>
    public static readonly ConcurrentQueue<string> Calls = new();

    /// <summary>What <see cref="Block"/> runs with a label wait for: a test releases its own label's gate.</summary>
    public static readonly ConcurrentDictionary<string, TaskCompletionSource> Gates = new();

    /// <summary>Signals each <see cref="Block"/> run that started.</summary>
    public static readonly ConcurrentQueue<string> Started = new();

    /// <summary>A deployment by attribute: named after the flow, run with no parameters.</summary>
    [Flow("orch-attribute", Schedule = "0 6 * * *", TimeZone = "America/New_York")]
    public static void ByAttribute(string label = "by-attribute") => Calls.Enqueue(label);

    [Flow("orch-record")]
    public static void Record(string label = "none") => Calls.Enqueue(label);

    /// <summary>A flow that may run once more after a failure or a crash.</summary>
    [Flow("orch-retried", Retries = 1)]
    public static void Retried(string label = "none") => Calls.Enqueue(label);

    [Flow("orch-typed")]
    public static int Typed(int count, string[] states) => count + states.Length;

    [Flow("orch-block")]
    public static async Task Block(string label = "none", CancellationToken cancellationToken = default)
    {
        Started.Enqueue(label);
        await Gate(label).Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The gate of a label, made on first use.</summary>
    public static TaskCompletionSource Gate(string label) => Gates.GetOrAdd(label, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}

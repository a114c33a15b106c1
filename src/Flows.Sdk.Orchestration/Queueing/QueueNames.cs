namespace Flows.Orchestration.Queueing;

/// <summary>
/// What a queue's name may be, and the Quartz execution group it is. The default queue is Quartz's bucket of triggers
/// without an execution group (<c>_</c>), so deployments stored before queues existed are in it unchanged.
/// </summary>
internal static class QueueNames
{
    /// <summary>The longest queue name: Quartz stores the execution group beside each trigger and firing.</summary>
    public const int MaxLength = 100;

    /// <summary>Quartz's spelling, in served groups and limits, of the triggers without an execution group.</summary>
    public const string UngroupedBucket = "_";

    /// <summary>Null when <paramref name="queue"/> is a valid name, else what is wrong with it (for an error that names where it came from).</summary>
    public static string? Problem(string? queue)
    {
        if (string.IsNullOrEmpty(queue))
        {
            return "a queue name was expected; it is empty";
        }

        if (queue.Length > MaxLength)
        {
            return $"a queue name of at most {MaxLength} characters was expected; '{queue[..20]}...' has {queue.Length}";
        }

        // Quartz reserves '*', '_' and 'null' in execution groups, reads braces as placeholders, and a configuration key
        // cannot hold every character: letters, digits and a few separators keep a name the same everywhere it is written.
        if (!char.IsAsciiLetterOrDigit(queue[0]) || !queue.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':'))
        {
            return $"a queue name of ASCII letters, digits, '-', '_', '.' and ':', starting with a letter or digit, was expected; it is '{queue}'";
        }

        return string.Equals(queue, "null", StringComparison.OrdinalIgnoreCase) ? "a queue name other than 'null' (Quartz reserves it) was expected" : null;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming <paramref name="where"/> when the name is not valid.</summary>
    public static string Check(string queue, string where, string parameterName) =>
        Problem(queue) is { } problem ? throw new ArgumentException($"{where}: {problem}.", parameterName) : queue;

    /// <summary>The Quartz execution group of a queue: none for the default queue.</summary>
    public static string? ExecutionGroup(string? queue) =>
        queue is null || string.Equals(queue, OrchestrationOptions.DefaultQueue, StringComparison.Ordinal) ? null : queue;

    /// <summary>The Quartz spelling of a queue in served groups and limits.</summary>
    public static string Served(string queue) => ExecutionGroup(queue) ?? UngroupedBucket;
}

using Flows.Runs;

namespace Flows;

/// <summary>
/// Options shared by <see cref="TaskAttribute"/> and <see cref="FlowAttribute"/>. Every value is a compile-time
/// constant that the generator copies into the method's descriptor; configuration can override most of them
/// per environment (<c>Flows:Tasks:&lt;name&gt;:Retries</c>, <c>Flows:Flows:&lt;name&gt;:TimeoutSeconds</c>).
/// </summary>
public abstract class RunAttribute : Attribute
{
    private protected RunAttribute(string? name) => Name = name;

    /// <summary>The stable name runs are recorded under. Defaults to the method name in kebab-case (<c>LoadContacts</c> → <c>load-contacts</c>).</summary>
    public string? Name { get; set; }

    /// <summary>
    /// A human description of the method, compiled into its descriptor. It is not recorded with runs (unlike
    /// <see cref="Tags"/> and <see cref="Version"/>), and nothing shows it yet.
    /// </summary>
    public string? Description { get; set; }

    /// <summary>A version label recorded with every run.</summary>
    public string? Version { get; set; }

    /// <summary>How many times a failed attempt is retried (0: never).</summary>
    public int Retries { get; set; }

    /// <summary>The base delay between retries, in seconds.</summary>
    public double RetryDelaySeconds { get; set; }

    /// <summary>Explicit delays, one per retry; the last repeats when there are more retries than delays. Overrides <see cref="RetryDelaySeconds"/> and <see cref="Backoff"/>.</summary>
    public double[]? RetryDelaysSeconds { get; set; }

    /// <summary>How the delay grows from one retry to the next.</summary>
    public Backoff Backoff { get; set; }

    /// <summary>Random jitter as a fraction of each delay (0 to 1): a delay <c>d</c> becomes a value in <c>d ± d × jitter</c>.</summary>
    public double RetryJitter { get; set; }

    /// <summary>Only exceptions of these types (or derived) are retried. Empty: every exception except cancellation.</summary>
    public Type[]? RetryOn { get; set; }

    /// <summary>Exceptions of these types (or derived) are never retried.</summary>
    public Type[]? NoRetryOn { get; set; }

    /// <summary>Cooperative timeout per attempt, in seconds (0: none). The run's <see cref="CancellationToken"/> is cancelled when it elapses.</summary>
    public double TimeoutSeconds { get; set; }

    /// <summary>Tags recorded with every run and used for concurrency limits.</summary>
    public string[]? Tags { get; set; }

    /// <summary>
    /// How many runs of this task may run an attempt at once (0: unlimited); further runs wait in order, recorded as
    /// Pending. Tasks only: a flow limits its runs with <c>MaxConcurrentRuns</c>.
    /// </summary>
    public int MaxConcurrency { get; set; }

    /// <summary>Name of a method on the same type called when a run completes. It takes no parameters or one <see cref="RunRecord"/>, and returns <c>void</c>, <c>Task</c> or <c>ValueTask</c>.</summary>
    public string? OnCompletion { get; set; }

    /// <summary>Name of a method on the same type called when a run fails or times out (after its last retry). Same shapes as <see cref="OnCompletion"/>.</summary>
    public string? OnFailure { get; set; }

    /// <summary>Name of a method on the same type called when a run ends <see cref="RunState.Cancelled"/> (instead of <see cref="OnFailure"/>). Same shapes as <see cref="OnCompletion"/>.</summary>
    public string? OnCancellation { get; set; }

    /// <summary>Name of a method on the same type called when a run ends <see cref="RunState.Crashed"/>: its engine shut down under it, or the process ran out of memory or stack. Same shapes as <see cref="OnCompletion"/>.</summary>
    public string? OnCrashed { get; set; }

    /// <summary>
    /// When true, <c>Console.Write*</c> inside the run goes to the run's logger, one line per line written, and not to
    /// the console. It covers the runs this run starts; output outside such runs still reaches the console.
    /// </summary>
    public bool LogPrints { get; set; }
}

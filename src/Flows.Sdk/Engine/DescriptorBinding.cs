using Flows.CompilerServices;
using Flows.Limits;
using Flows.Overlap;
using Flows.Retries;
using Flows.Runs;
using Microsoft.Extensions.Logging;
using Polly;

namespace Flows.Engine;

/// <summary>
/// What one engine prepared for one descriptor, once: the options after configuration overrides, the retry
/// pipeline (none when there are no retries), the timeout and the run logger.
/// </summary>
internal sealed class DescriptorBinding
{
    public DescriptorBinding(FlowEngine engine, RunDescriptor descriptor)
    {
        Engine = engine;
        Descriptor = descriptor;
        Options = OptionOverrides.Apply(descriptor, engine.Configuration);
        Pipeline = RetryPipeline.Create(Options, engine.RetryTimeProvider, engine.Random);
        Timeout = Options.TimeoutSeconds > 0 ? TimeSpan.FromSeconds(Options.TimeoutSeconds) : null;
        Logger = engine.LoggerFactory.CreateLogger($"Flows.{descriptor.Kind}.{Options.Name}");
        Label = $"{(descriptor.Kind == RunKind.Flow ? "Flow" : "Task")} '{Options.Name}'";
        SpanName = $"{(descriptor.Kind == RunKind.Flow ? "flow" : "task")} {Options.Name}";
        Limiter = engine.Limits.For(descriptor.Kind, Options);
        RunGate = engine.Limits.RunGate(descriptor.Kind, Options);
    }

    public FlowEngine Engine { get; }

    public RunDescriptor Descriptor { get; }

    public RunOptions Options { get; }

    public ResiliencePipeline? Pipeline { get; }

    public TimeSpan? Timeout { get; }

    /// <summary>The slots and permits each attempt needs (task MaxConcurrency, tag limits); null when none.</summary>
    public RunLimiter? Limiter { get; }

    /// <summary>The flow's MaxConcurrentRuns and overlap policy; null when unlimited.</summary>
    public FlowRunGate? RunGate { get; }

    /// <summary>The logger <see cref="Flow.Logger"/> returns inside runs of this descriptor.</summary>
    public ILogger Logger { get; }

    /// <summary>"Task 'download'", for messages.</summary>
    public string Label { get; }

    /// <summary>"task download", the name of each run's span.</summary>
    public string SpanName { get; }

    public RunTimeoutException TimeoutError(int attempt, Exception inner) =>
        new($"{Label} timed out after {Options.TimeoutSeconds:0.###} s on attempt {attempt} of {Options.Retries + 1}. "
            + "Raise TimeoutSeconds, or make the work honour its CancellationToken sooner.", inner);
}

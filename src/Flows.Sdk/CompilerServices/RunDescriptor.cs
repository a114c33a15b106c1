using System.ComponentModel;
using Flows.Engine;
using Flows.Runs;

namespace Flows.CompilerServices;

/// <summary>
/// Everything the runtime knows about one <c>[Task]</c> or <c>[Flow]</c> method, created once by generated code.
/// Running by name and parameter binding use descriptors, never reflection over methods.
/// For generated code; not a stable API for hand-written code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public abstract class RunDescriptor
{
    private protected RunDescriptor(RunKind kind, RunOptions options, Type declaringType, string methodName, string sourceHash)
    {
        ArgumentNullException.ThrowIfNull(options);
        Kind = kind;
        Options = options;
        DeclaringType = declaringType;
        MethodName = methodName;
        SourceHash = sourceHash;
    }

    /// <summary>Flow or task.</summary>
    public RunKind Kind { get; }

    /// <summary>The stable name runs are recorded under.</summary>
    public string Name => Options.Name;

    /// <summary>The options compiled from the attribute.</summary>
    public RunOptions Options { get; }

    /// <summary>The type that declares the method.</summary>
    public Type DeclaringType { get; }

    /// <summary>The method's name in source.</summary>
    public string MethodName { get; }

    /// <summary>A hash of the method's source text; it changes when the method body changes.</summary>
    public string SourceHash { get; }

    /// <summary>The method's parameters in declaration order.</summary>
    public IReadOnlyList<ParameterDescriptor> Parameters { get; init; } = [];

    /// <summary>True when the method is awaited (returns a task); false for synchronous methods.</summary>
    public abstract bool IsAsync { get; }

    /// <summary>True when the flow can be run by name (it has a parameter binder).</summary>
    public abstract bool CanRunByName { get; }

    /// <summary>Per-engine state (resilience pipeline, options after overrides), cached on the descriptor for the last engine that used it.</summary>
    internal object? EngineBinding;

    /// <summary>True when the method names a <c>CacheKey</c> method.</summary>
    internal abstract bool HasCacheKey { get; }

    internal abstract ValueTask<object?> RunByNameAsync(FlowEngine engine, ParameterBinder binder, RunOrigin origin, CancellationToken cancellationToken);

    /// <summary>
    /// Binds the parameters as a run by name does, without running anything, and returns them as a run of this flow
    /// records them (null when it records none, or when <paramref name="engine"/> is null and only the check is wanted).
    /// </summary>
    internal abstract string? BindParameters(ParameterBinder binder, FlowEngine? engine);

    /// <inheritdoc />
    public override string ToString() => $"{Kind.ToString().ToLowerInvariant()} '{Name}' ({DeclaringType.Name}.{MethodName})";
}

/// <summary>A descriptor with the method's argument bundle and result type. For generated code; not a stable API for hand-written code.</summary>
/// <typeparam name="TArgs">A generated struct holding the call's arguments (and the instance, for instance methods).</typeparam>
/// <typeparam name="TResult">The method's result, or <see cref="Unit"/> for methods that return nothing.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class RunDescriptor<TArgs, TResult> : RunDescriptor
{
    /// <summary>Creates a descriptor. Called by generated code.</summary>
    public RunDescriptor(RunKind kind, RunOptions options, Type declaringType, string methodName, string sourceHash)
        : base(kind, options, declaringType, methodName, sourceHash)
    {
    }

    /// <summary>Calls the original method synchronously, passing the run's token for its <see cref="CancellationToken"/> parameter.</summary>
    public Func<TArgs, CancellationToken, TResult>? Invoke { get; init; }

    /// <summary>Calls the original method asynchronously, passing the run's token for its <see cref="CancellationToken"/> parameter.</summary>
    public Func<TArgs, CancellationToken, ValueTask<TResult>>? InvokeAsync { get; init; }

    /// <summary>Builds arguments from named values, for runs by name. Only flows have one.</summary>
    public Func<ParameterBinder, TArgs>? Bind { get; init; }

    /// <summary>Writes the arguments a run was called with (secrets masked): for the run record of flows, and for the cache key of tasks that cache.</summary>
    public Action<TArgs, ParameterWriter>? WriteParameters { get; init; }

    /// <summary>
    /// Returns a copy of the arguments with every <see cref="SecretAttribute"/> parameter the caller left at its
    /// default replaced by the resolved secret. Null when the method has no secret parameters.
    /// </summary>
    public Func<TArgs, SecretArguments, ValueTask<TArgs>>? InjectSecrets { get; init; }

    /// <summary>The task's <c>CacheKey</c> method: a key for the arguments, in place of the default (inputs and source hash).</summary>
    public Func<TArgs, string>? CacheKey { get; init; }

    /// <summary>The <c>OnCompletion</c> hook.</summary>
    public Func<TArgs, RunRecord, ValueTask>? OnCompletion { get; init; }

    /// <summary>The <c>OnFailure</c> hook.</summary>
    public Func<TArgs, RunRecord, ValueTask>? OnFailure { get; init; }

    /// <summary>The <c>OnCancellation</c> hook.</summary>
    public Func<TArgs, RunRecord, ValueTask>? OnCancellation { get; init; }

    /// <summary>The <c>OnCrashed</c> hook.</summary>
    public Func<TArgs, RunRecord, ValueTask>? OnCrashed { get; init; }

    /// <inheritdoc />
    public override bool IsAsync => InvokeAsync is not null;

    /// <inheritdoc />
    public override bool CanRunByName => Bind is not null;

    internal override bool HasCacheKey => CacheKey is not null;

    internal override async ValueTask<object?> RunByNameAsync(FlowEngine engine, ParameterBinder binder, RunOrigin origin, CancellationToken cancellationToken)
    {
        var args = BindArguments(binder);
        return IsAsync
            ? await InvokePath.InvokeAsync(this, args, cancellationToken, origin).ConfigureAwait(false)
            : InvokePath.Invoke(this, args, cancellationToken, origin);
    }

    internal override string? BindParameters(ParameterBinder binder, FlowEngine? engine)
    {
        var args = BindArguments(binder);
        return engine is not null && WriteParameters is { } write ? InvokePath.RecordedParameters(engine, write, args) : null;
    }

    private TArgs BindArguments(ParameterBinder binder) =>
        Bind is null ? throw new InvalidOperationException($"{this} cannot be run by name: it has no parameter binder.") : Bind(binder);
}

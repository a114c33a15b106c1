using System.ComponentModel;
using System.Runtime.CompilerServices;
using Flows.Engine;

namespace Flows.CompilerServices;

/// <summary>
/// The entry points generated interceptors call in place of a <c>[Task]</c> or <c>[Flow]</c> method: they create
/// the run, make it current for the method's body, apply retries and the timeout, and record every state.
/// For generated code; not a stable API for hand-written code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class RunInvoker
{
    /// <summary>Runs a synchronous method as a flow run or task run.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TResult Invoke<TArgs, TResult>(RunDescriptor<TArgs, TResult> descriptor, TArgs args, CancellationToken cancellationToken)
        => InvokePath.Invoke(descriptor, args, cancellationToken, null);

    /// <summary>Runs an asynchronous method as a flow run or task run.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ValueTask<TResult> InvokeAsync<TArgs, TResult>(RunDescriptor<TArgs, TResult> descriptor, TArgs args, CancellationToken cancellationToken)
        => InvokePath.InvokeAsync(descriptor, args, cancellationToken, null);

    /// <summary>
    /// Runs a method returning <see cref="Task{TResult}"/> as a flow run or task run. When the run completes at once,
    /// the task the method's body returned is handed back as it is, rather than a second task holding its result.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Task<TResult> InvokeTaskAsync<TArgs, TResult>(RunDescriptor<TArgs, TResult> descriptor, TArgs args, CancellationToken cancellationToken)
        => InvokePath.InvokeTaskAsync(descriptor, args, cancellationToken, null);
}

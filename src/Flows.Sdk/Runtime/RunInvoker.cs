using System.ComponentModel;

namespace Flows.Runtime;

/// <summary>The entry points generated interceptors call in place of a <c>[Task]</c> or <c>[Flow]</c> method.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class RunInvoker
{
    /// <summary>Runs a synchronous method as a flow run or task run.</summary>
    public static TResult Invoke<TArgs, TResult>(RunDescriptor<TArgs, TResult> descriptor, TArgs args, CancellationToken cancellationToken)
        => throw new NotImplementedException();

    /// <summary>Runs an asynchronous method as a flow run or task run.</summary>
    public static ValueTask<TResult> InvokeAsync<TArgs, TResult>(RunDescriptor<TArgs, TResult> descriptor, TArgs args, CancellationToken cancellationToken)
        => throw new NotImplementedException();
}

using System.ComponentModel;

namespace Flows.CompilerServices;

/// <summary>Adapters between the shapes user methods return and the runtime's <see cref="ValueTask{TResult}"/>. Called by generated code. For generated code; not a stable API for hand-written code.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Invocation
{
    /// <summary>Adapts a <see cref="Task"/> to a result of <see cref="Unit"/>.</summary>
    public static ValueTask<Unit> FromTask(Task task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return task.IsCompletedSuccessfully ? default : Await(task);

        static async ValueTask<Unit> Await(Task task)
        {
            await task.ConfigureAwait(false);
            return default;
        }
    }

    /// <summary>Adapts a <see cref="ValueTask"/> to a result of <see cref="Unit"/>.</summary>
    public static ValueTask<Unit> FromValueTask(ValueTask task) =>
        task.IsCompletedSuccessfully ? default : Await(task);

    /// <summary>Adapts a result of <see cref="Unit"/> back to <see cref="Task"/>.</summary>
    public static Task ToTask(ValueTask<Unit> task) =>
        task.IsCompletedSuccessfully ? Task.CompletedTask : task.AsTask();

    /// <summary>Adapts a result of <see cref="Unit"/> back to <see cref="ValueTask"/>.</summary>
    public static ValueTask ToValueTask(ValueTask<Unit> task) =>
        task.IsCompletedSuccessfully ? default : new ValueTask(task.AsTask());

    /// <summary>Adapts a hook returning <see cref="Task"/>.</summary>
    public static ValueTask Hook(Task task) => new(task);

    private static async ValueTask<Unit> Await(ValueTask task)
    {
        await task.ConfigureAwait(false);
        return default;
    }
}

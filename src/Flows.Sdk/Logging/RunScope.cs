using System.Collections;

namespace Flows.Logging;

/// <summary>The properties every log line inside a run carries as a logging scope.</summary>
internal sealed class RunScope(RunContext run) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public int Count => 5;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new("FlowRunId", run.FlowRunId),
        1 => new("TaskRunId", run.Descriptor.Kind == RunKind.Task ? run.Id : null),
        2 => new("FlowName", run.Flow?.Descriptor.Name),
        3 => new("TaskName", run.Descriptor.Kind == RunKind.Task ? run.Descriptor.Name : null),
        4 => new("Attempt", run.Attempt),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() =>
        $"FlowRunId:{run.FlowRunId} TaskRunId:{(run.Descriptor.Kind == RunKind.Task ? run.Id : null)} Attempt:{run.Attempt}";
}

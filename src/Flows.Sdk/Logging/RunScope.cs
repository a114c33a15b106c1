using System.Collections;
using Flows.Engine;
using Flows.Runs;

namespace Flows.Logging;

/// <summary>
/// The properties every log line inside a run carries as a logging scope: <c>FlowRunId</c>, <c>TaskRunId</c>,
/// <c>FlowName</c>, <c>TaskName</c> and <c>Attempt</c>. Properties that do not apply (a task run outside any
/// flow has no flow) are left out rather than given as null.
/// </summary>
internal sealed class RunScope(RunContext run) : IReadOnlyList<KeyValuePair<string, object?>>
{
    private KeyValuePair<string, object?>[]? _fixed;

    public int Count => Fixed.Length + 1;

    public KeyValuePair<string, object?> this[int index] =>
        index == Fixed.Length ? new("Attempt", run.Attempt) : Fixed[index];

    // Everything but the attempt is fixed for the run's lifetime, so it is built once, on first read.
    private KeyValuePair<string, object?>[] Fixed => _fixed ??= Build();

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => string.Join(" ", this.Select(p => $"{p.Key}:{p.Value}"));

    private KeyValuePair<string, object?>[] Build()
    {
        var pairs = new List<KeyValuePair<string, object?>>(4);
        if (run.FlowRunId is { } flowRunId)
        {
            pairs.Add(new("FlowRunId", flowRunId));
        }

        if (run.Descriptor.Kind == RunKind.Task)
        {
            pairs.Add(new("TaskRunId", run.Id));
        }

        if (run.Flow is { } flow)
        {
            pairs.Add(new("FlowName", flow.Descriptor.Name));
        }

        if (run.Descriptor.Kind == RunKind.Task)
        {
            pairs.Add(new("TaskName", run.Descriptor.Name));
        }

        return [.. pairs];
    }
}

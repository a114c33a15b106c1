using System.Globalization;
using System.Text;
using Flows.Stores;

namespace Flows.Runs;

/// <summary>Renders a flow run and everything it started as an indented tree of names, states, attempts and durations.</summary>
public static class RunTree
{
    /// <summary>The tree under a run, as text with one run per line.</summary>
    public static async Task<string> RenderAsync(IRunStore store, Guid runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var root = await store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false)
            ?? throw new ArgumentException($"No run with id {runId} is in the store.", nameof(runId));
        var text = new StringBuilder();
        await AppendAsync(store, root, "", "", text, cancellationToken).ConfigureAwait(false);
        return text.ToString();
    }

    private static async Task AppendAsync(IRunStore store, RunRecord run, string lead, string indent, StringBuilder text, CancellationToken cancellationToken)
    {
        text.Append(lead).AppendLine(Describe(run));
        var children = await store.QueryRunsAsync(new RunQuery { ParentRunId = run.Id, Limit = int.MaxValue }, cancellationToken).ConfigureAwait(false);
        // The store answers newest first; a tree reads oldest first.
        var ordered = children.Reverse().ToList();
        for (var i = 0; i < ordered.Count; i++)
        {
            var last = i == ordered.Count - 1;
            await AppendAsync(store, ordered[i], indent + (last ? "└─ " : "├─ "), indent + (last ? "   " : "│  "), text, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string Describe(RunRecord run)
    {
        var kind = run.Kind == RunKind.Flow ? "flow" : "task";
        var attempts = run.Attempt > 1 ? $", {run.Attempt} attempts" : string.Empty;
        var duration = run.Duration is { } d ? string.Create(CultureInfo.InvariantCulture, $", {d.TotalMilliseconds:0.#} ms") : string.Empty;
        var error = run.State.IsSuccess() || run.Error is null ? string.Empty : $" — {run.Error}";
        return $"{kind} {run.Name} [{run.State}{attempts}{duration}]{error}";
    }
}

using Flows.Cli.Output;
using Flows.Runs;
using Flows.Stores;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Flows.Cli.Commands;

/// <summary>
/// <c>--watch</c>: follows a flow run through the store until it ends. On a terminal, a live tree of its task runs and
/// subflows (state, attempt, duration), where the task runs of one name under one parent (a <c>Flow.Map</c>) are one
/// line with a progress bar; without one (output redirected, CI), one line per state change.
/// </summary>
internal sealed class RunWatcher(CommandContext context, Guid runId)
{
    /// <summary>How often the store is read while the run goes on.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    /// <summary>Siblings of one name from which they show as one line with a bar.</summary>
    private const int GroupFrom = 3;

    private const int BarWidth = 20;

    /// <summary>The (state, attempt) each run was last printed in, for line-by-line output.</summary>
    private readonly Dictionary<Guid, (RunState State, int Attempt)> _printed = [];

    /// <summary>
    /// For line-by-line output: each run's number among the runs of its name under its parent, in the order they were
    /// seen; shown from the second on (<c>fetch-batch</c>, <c>fetch-batch #2</c>), so a task called once reads plainly.
    /// </summary>
    private readonly Dictionary<Guid, int> _numbers = [];

    private readonly Dictionary<(Guid? Parent, string Name), int> _counts = [];

    /// <summary>
    /// Follows the run until it has ended: until <paramref name="running"/> completes when this process runs it, else
    /// until the store records it in a final state. Returns its last record.
    /// </summary>
    public async Task<RunRecord> FollowAsync(Task<RunRecord>? running)
    {
        if (context.Settings.Json)
        {
            // The output is the run's record at its end, nothing before it.
            return await LoopAsync(running, _ => { }).ConfigureAwait(false);
        }

        // The live tree redraws itself with cursor movements: a terminal that takes them, else line by line.
        if (context.Out.Profile.Capabilities is { Interactive: true, Ansi: true })
        {
            RunRecord? last = null;
            await context.Out.Live(new Text(string.Empty)).AutoClear(false).StartAsync(async live =>
            {
                last = await LoopAsync(running, runs =>
                {
                    live.UpdateTarget(Tree(runs));
                    live.Refresh();
                }).ConfigureAwait(false);
            }).ConfigureAwait(false);
            return last!;
        }

        return await LoopAsync(running, PrintChanges).ConfigureAwait(false);
    }

    private async Task<RunRecord> LoopAsync(Task<RunRecord>? running, Action<IReadOnlyList<RunRecord>> show)
    {
        var time = context.Engine.TimeProvider;
        while (true)
        {
            // Read before the check, so the last picture is taken after the run ended.
            var done = running?.IsCompleted ?? false;
            var runs = await ReadAsync().ConfigureAwait(false);
            if (runs.Count > 0)
            {
                show(runs);
            }

            if (done || (running is null && runs.Count > 0 && runs[0].State.IsFinal()))
            {
                // This process's run: its task gives the final record, or the error that kept it from starting.
                return running is not null ? await running.ConfigureAwait(false) : runs[0];
            }

            if (running is null && runs.Count == 0)
            {
                throw new CommandLineException($"No run {runId} in the store. List recent runs with 'flows runs'.");
            }

            if (running is null)
            {
                // Following another process's run: Ctrl+C stops following.
                await Task.Delay(Interval, time, context.Cancellation).ConfigureAwait(false);
                continue;
            }

            // This process's run: Ctrl+C cancels it (its token is the command's), and the watch goes on until it has
            // ended and is recorded, so the command never exits with the run still in progress.
            await Task.WhenAny(running, Task.Delay(Interval, time, CancellationToken.None)).ConfigureAwait(false);
        }
    }

    /// <summary>The run first, then every run under it (its task runs, its subflows' and theirs), oldest first.</summary>
    private async Task<IReadOnlyList<RunRecord>> ReadAsync()
    {
        var store = context.Store;
        if (await store.GetRunAsync(runId, CancellationToken.None).ConfigureAwait(false) is not { } root)
        {
            return [];
        }

        var all = new List<RunRecord> { root };
        var flows = new Queue<Guid>([root.Id]);
        while (flows.TryDequeue(out var flow))
        {
            var under = await store.QueryRunsAsync(new RunQuery { FlowRunId = flow, Limit = 100_000 }, CancellationToken.None).ConfigureAwait(false);
            foreach (var run in under.Reverse().Where(r => r.Id != flow && all.TrueForAll(a => a.Id != r.Id)))
            {
                all.Add(run);
                if (run.Kind == RunKind.Flow)
                {
                    flows.Enqueue(run.Id);
                }
            }
        }

        return all;
    }

    /// <summary>Without a terminal: a line for each run whose state or attempt changed since the last read.</summary>
    private void PrintChanges(IReadOnlyList<RunRecord> runs)
    {
        var depth = new Dictionary<Guid, int> { [runs[0].Id] = 0 };
        foreach (var run in runs)
        {
            var level = run.ParentRunId is { } parent && depth.TryGetValue(parent, out var d) ? d + 1 : run.Id == runs[0].Id ? 0 : 1;
            depth[run.Id] = level;
            if (_printed.TryGetValue(run.Id, out var seen) && seen == (run.State, run.Attempt))
            {
                continue;
            }

            _printed[run.Id] = (run.State, run.Attempt);
            if (!_numbers.ContainsKey(run.Id) && run.Id != runs[0].Id)
            {
                var key = (run.ParentRunId, run.Name);
                _numbers[run.Id] = _counts[key] = _counts.GetValueOrDefault(key) + 1;
            }

            var number = _numbers.TryGetValue(run.Id, out var n) && n > 1 ? $" #{n}" : string.Empty;
            context.Out.Write(Line(run, new string(' ', 2 * level), number));
            context.Out.WriteLine();
        }
    }

    private Paragraph Line(RunRecord run, string indent, string number = "")
    {
        var line = new Paragraph();
        line.Append($"{indent}{Cut(run.Name, 40)}{number} ", Style.Plain);
        line.Append(run.State.ToString(), context.Style(StateStyles.Of(run.State)));
        if (run.Attempt > 1)
        {
            line.Append($" attempt {run.Attempt}", Style.Plain);
        }

        if (Took(run) is { } took)
        {
            line.Append($" {Formats.Duration(took)}", Style.Plain);
        }

        return line;
    }

    /// <summary>On a terminal: the run as a tree, a group of same-named siblings as one line with a bar.</summary>
    private Tree Tree(IReadOnlyList<RunRecord> runs)
    {
        var root = runs[0];
        var tree = new Tree(Line(root, string.Empty)) { Guide = TreeGuide.Line };
        var children = runs.Skip(1).ToLookup(r => r.ParentRunId ?? root.Id);
        Add(tree, root.Id, children);
        return tree;
    }

    private void Add(IHasTreeNodes node, Guid parent, ILookup<Guid, RunRecord> children)
    {
        foreach (var group in children[parent].GroupBy(r => r.Name))
        {
            var runs = group.ToList();
            if (runs.Count >= GroupFrom)
            {
                node.AddNode(Progress(group.Key, runs));
                continue;
            }

            foreach (var run in runs)
            {
                Add(node.AddNode(Line(run, string.Empty)), run.Id, children);
            }
        }
    }

    /// <summary>
    /// <c>cli-square  [████████░░░░] 12/20 done, 4 running</c>: the count is of the runs started so far (a map records no
    /// total of its own).
    /// </summary>
    private Paragraph Progress(string name, List<RunRecord> runs)
    {
        var done = runs.Count(r => r.State.IsFinal());
        var failed = runs.Count(r => r.State.IsFinal() && !r.State.IsSuccess());
        var cached = runs.Count(r => r.State == RunState.Cached);
        var filled = runs.Count == 0 ? 0 : done * BarWidth / runs.Count;
        var line = new Paragraph();
        line.Append($"{Cut(name, 24)} ", Style.Plain);
        line.Append(new string('█', filled), context.Style(failed > 0 ? Color.Red : Color.Green));
        line.Append(new string('░', BarWidth - filled), context.Style(Color.Grey));
        line.Append($" {done}/{runs.Count} done", Style.Plain);
        var notes = new List<string>();
        if (runs.Count - done is > 0 and var going)
        {
            notes.Add($"{going} running");
        }

        if (cached > 0)
        {
            notes.Add($"{cached} cached");
        }

        if (failed > 0)
        {
            notes.Add($"{failed} failed");
        }

        line.Append(notes.Count > 0 ? ", " + string.Join(", ", notes) : string.Empty, Style.Plain);
        return line;
    }

    private TimeSpan? Took(RunRecord run) =>
        run.Duration ?? (run.StartedAt is { } started && !run.State.IsFinal() ? context.Engine.TimeProvider.GetUtcNow() - started : null);

    private static string Cut(string text, int width) => text.Length <= width ? text : string.Concat(text.AsSpan(0, width - 1), "…");
}

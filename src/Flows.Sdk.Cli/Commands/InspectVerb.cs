using System.CommandLine;
using Flows.Cli.Output;
using Flows.Runs;
using Flows.Stores;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Flows.Cli.Commands;

/// <summary>
/// <c>flows inspect &lt;run&gt;</c>: one run with everything recorded about it: its state and times, parameters, the
/// (masked) error, the tree of task runs and subflows with states, attempts, durations and cache hits, artifacts, and
/// the notifications sent (or grouped, or failed) about it.
/// </summary>
internal static class InspectVerb
{
    /// <summary>The widest a parameter, error or artifact line is shown before it is cut (JSON output is never cut).</summary>
    private const int ValueWidth = 400;

    /// <summary>More siblings of one name than this are shown as one line with counts by state.</summary>
    private const int GroupOver = 10;

    public static Command Create(CommandLineHost cli)
    {
        var run = new Argument<string>("run") { Description = "The run's id, as 'flows runs' lists it" };
        var command = new Command("inspect", "Show a run: state, parameters, error, its task runs and artifacts") { run };
        cli.SetAction(command, async context =>
        {
            var record = await context.GetRunAsync(context.Value(run)!).ConfigureAwait(false);
            var tree = await RunNode.ReadAsync(context.Store, record, context.Cancellation).ConfigureAwait(false);
            var transitions = await context.Store.GetTransitionsAsync(record.Id, context.Cancellation).ConfigureAwait(false);
            var artifacts = await context.Store.GetArtifactsAsync(record.Id, context.Cancellation).ConfigureAwait(false);
            IReadOnlyList<NotificationRecord> notifications = context.Store is INotificationStore notes
                ? await notes.GetNotificationsAsync(record.Id, context.Cancellation).ConfigureAwait(false)
                : [];
            if (context.Settings.Json)
            {
                context.WriteJson(new
                {
                    run = RunJson.From(record),
                    children = tree.Children.Select(RunNodeJson.From),
                    transitions = transitions.Select(t => new { state = t.State, timestamp = t.Timestamp.ToUniversalTime(), attempt = t.Attempt, message = t.Message }),
                    artifacts = artifacts.Select(a => new { key = a.Key, kind = a.Kind, runId = a.RunId, createdAt = a.CreatedAt.ToUniversalTime(), description = a.Description, content = a.Content }),
                    notifications = notifications.Select(n => new
                    {
                        @event = n.Event, rule = n.Rule, channel = n.Channel, status = n.Status, attempts = n.Attempts, count = n.Count, error = n.Error,
                        createdAt = n.CreatedAt.ToUniversalTime(), sentAt = n.SentAt?.ToUniversalTime(), groupedInto = n.GroupedInto,
                    }),
                });
                return ExitCodes.Success;
            }

            context.Out.Write(Summary(context, tree));
            context.Out.WriteLine();
            var view = new Tree(Line(context, tree.Run)) { Guide = context.Settings.NoColor ? TreeGuide.Ascii : TreeGuide.Line };
            AddChildren(context, view, tree);
            context.Out.Write(view);
            if (artifacts.Count > 0)
            {
                context.Out.WriteLine();
                context.Out.WriteLine("Artifacts", context.Style(Color.Default, Decoration.Bold));
                foreach (var artifact in artifacts)
                {
                    context.Out.WriteLine($"{artifact.Key} ({artifact.Kind.ToString().ToLowerInvariant()}): {Cut(OneLine(artifact.Description ?? artifact.Content))}", Style.Plain);
                }
            }

            WriteNotifications(context, notifications);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>
    /// The notifications about the run, one line each: event, rule, channel, status (with attempts, and the count of
    /// events it stands for when grouped), when sent, and why the last attempt failed.
    /// </summary>
    private static void WriteNotifications(CommandContext context, IReadOnlyList<NotificationRecord> notifications)
    {
        if (notifications.Count == 0)
        {
            return;
        }

        context.Out.WriteLine();
        context.Out.WriteLine("Notifications", context.Style(Color.Default, Decoration.Bold));
        foreach (var n in notifications)
        {
            var line = new Paragraph();
            line.Append($"{n.Event} → {n.Channel} (rule {n.Rule})  ", Style.Plain);
            var status = n.Status switch
            {
                NotificationStatus.Sent => $"Sent {context.Formats.Time(n.SentAt)}",
                NotificationStatus.Grouped => "Grouped into its incident's notification",
                _ => n.Status.ToString(),
            };
            line.Append(status, context.Style(n.Status == NotificationStatus.Failed ? Color.Red : n.Status == NotificationStatus.Sent ? Color.Green : Color.Default));
            if (n.Attempts > 1 || n.Status == NotificationStatus.Failed)
            {
                line.Append($"  {n.Attempts} attempts", Style.Plain);
            }

            if (n.Count > 1)
            {
                line.Append($"  ×{n.Count} events", Style.Plain);
            }

            if (n.Error is not null)
            {
                line.Append("  " + Cut(OneLine(n.Error), 120), context.Style(Color.Red));
            }

            context.Out.Write(line);
            context.Out.WriteLine();
        }
    }

    /// <summary>The run's facts as label / value rows.</summary>
    private static Grid Summary(CommandContext context, RunNode tree)
    {
        var run = tree.Run;
        var grid = new Grid();
        grid.AddColumn(new GridColumn().NoWrap().PadRight(2));
        grid.AddColumn(new GridColumn());
        void Row(string label, IRenderable value) => grid.AddRow(new Text(label, context.Style(Color.Default, Decoration.Bold)), value);
        void Plain(string label, string value) => Row(label, new Text(value));

        Plain("Run", run.Id.ToString());
        Plain(run.Kind == RunKind.Flow ? "Flow" : "Task", run.Name);
        Row("State", new Text(run.Attempt > 1 ? $"{run.State} (attempt {run.Attempt})" : run.State.ToString(), context.Style(StateStyles.Of(run.State))));
        Plain("Created", $"{context.Formats.Time(run.CreatedAt)} ({context.Formats.Relative(run.CreatedAt)})");
        if (run.ScheduledFor is { } slot)
        {
            Plain("Scheduled", context.Formats.Time(slot));
        }

        Plain("Started", context.Formats.Time(run.StartedAt));
        Plain("Ended", context.Formats.Time(run.EndedAt));
        Plain("Took", Formats.Duration(run.Duration ?? (run.StartedAt is { } started && run.EndedAt is null ? context.Time.GetUtcNow() - started : null)));
        if (run.Deployment is not null)
        {
            Plain("Deployment", run.Deployment);
        }

        if (run.Tags.Count > 0)
        {
            Plain("Tags", string.Join(", ", run.Tags));
        }

        var all = tree.Descendants().ToList();
        if (all.Count > 0)
        {
            var cached = all.Count(n => n.Run.State == RunState.Cached);
            var failed = all.Count(n => n.Run.State is RunState.Failed or RunState.Crashed or RunState.TimedOut);
            Plain("Runs", $"{all.Count} under it: {cached} cached, {failed} failed");
        }

        Plain("Parameters", run.Parameters is null ? "-" : Cut(run.Parameters));
        if (run.Error is not null)
        {
            Row("Error", new Text(Cut(run.Error), context.Style(Color.Red)));
        }

        return grid;
    }

    /// <summary>
    /// Adds a run's children. A run of more than <see cref="GroupOver"/> siblings of one name (a <c>Flow.Map</c>) is one
    /// line with the count by state, and under it only those that did not succeed (at most <see cref="GroupOver"/>).
    /// </summary>
    private static void AddChildren(CommandContext context, IHasTreeNodes parent, RunNode node)
    {
        var i = 0;
        while (i < node.Children.Count)
        {
            var name = node.Children[i].Run.Name;
            var end = i;
            while (end < node.Children.Count && node.Children[end].Run.Name == name)
            {
                end++;
            }

            if (end - i > GroupOver)
            {
                var group = node.Children.Skip(i).Take(end - i).ToList();
                var counts = string.Join(", ", group.GroupBy(c => c.Run.State).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key}"));
                var line = new Paragraph();
                line.Append($"{name} ×{group.Count}  ", Style.Plain);
                line.Append(counts, context.Style(StateStyles.Of(group.Any(c => !c.Run.State.IsSuccess()) ? RunState.Failed : RunState.Completed)));
                var added = parent.AddNode(line);
                var unsuccessful = group.Where(c => !c.Run.State.IsSuccess()).ToList();
                foreach (var child in unsuccessful.Take(GroupOver))
                {
                    AddChildren(context, added.AddNode(Line(context, child.Run)), child);
                }

                if (unsuccessful.Count > GroupOver)
                {
                    added.AddNode(new Text($"… {unsuccessful.Count - GroupOver} more that did not succeed (see --json)"));
                }
            }
            else
            {
                foreach (var child in node.Children.Skip(i).Take(end - i))
                {
                    AddChildren(context, parent.AddNode(Line(context, child.Run)), child);
                }
            }

            i = end;
        }
    }

    /// <summary>One run in the tree: name, state, attempts, duration, cache hit, and the first line of its error.</summary>
    private static Paragraph Line(CommandContext context, RunRecord run)
    {
        var line = new Paragraph();
        line.Append(run.Name, Style.Plain);
        line.Append("  ", Style.Plain);
        line.Append(run.State == RunState.Cached ? "Cached (cache hit)" : run.State.ToString(), context.Style(StateStyles.Of(run.State)));
        if (run.Attempt > 1)
        {
            line.Append($"  {run.Attempt} attempts", Style.Plain);
        }

        if (run.Duration is { } took)
        {
            line.Append("  " + Formats.Duration(took), Style.Plain);
        }

        if (!run.State.IsSuccess() && run.Error is not null)
        {
            line.Append("  " + Cut(OneLine(run.Error), 120), context.Style(Color.Red));
        }

        return line;
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");

    private static string Cut(string text, int width = ValueWidth) => text.Length <= width ? text : string.Concat(text.AsSpan(0, width - 1), "…");
}

/// <summary>A run with the task runs and subflows it started, oldest first, read from the store.</summary>
internal sealed record RunNode(RunRecord Run, IReadOnlyList<RunNode> Children)
{
    /// <summary>The most runs one tree reads, so a run with a huge <c>Flow.Map</c> still answers.</summary>
    public const int MaxRuns = 10_000;

    public static async Task<RunNode> ReadAsync(IRunStore store, RunRecord root, CancellationToken cancellationToken)
    {
        var budget = MaxRuns;
        return await ReadAsync(store, root, () => budget, used => budget -= used, cancellationToken).ConfigureAwait(false);
    }

    public IEnumerable<RunNode> Descendants() => Children.SelectMany(c => c.Descendants().Prepend(c));

    private static async Task<RunNode> ReadAsync(IRunStore store, RunRecord run, Func<int> budget, Action<int> use, CancellationToken cancellationToken)
    {
        if (budget() <= 0)
        {
            return new RunNode(run, []);
        }

        var children = await store.QueryRunsAsync(new RunQuery { ParentRunId = run.Id, Limit = budget() }, cancellationToken).ConfigureAwait(false);
        use(children.Count);
        var nodes = new List<RunNode>(children.Count);

        // The store answers newest first; a tree reads oldest first.
        foreach (var child in children.Reverse())
        {
            nodes.Add(await ReadAsync(store, child, budget, use, cancellationToken).ConfigureAwait(false));
        }

        return new RunNode(run, nodes);
    }
}

/// <summary>A run in <c>inspect --json</c>'s tree: the run as <see cref="RunJson"/> gives it, whether it was a cache hit, and its children.</summary>
internal sealed record RunNodeJson(RunJson Run, bool Cached, IReadOnlyList<RunNodeJson> Children)
{
    public static RunNodeJson From(RunNode node) =>
        new(RunJson.From(node.Run), node.Run.State == RunState.Cached, [.. node.Children.Select(From)]);
}

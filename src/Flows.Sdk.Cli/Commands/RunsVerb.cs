using System.CommandLine;
using Flows.Cli.Output;
using Flows.Runs;
using Flows.Stores;
using Spectre.Console;

namespace Flows.Cli.Commands;

/// <summary><c>flows runs</c>: recent flow runs, newest first, filtered by flow, state, deployment and age.</summary>
internal static class RunsVerb
{
    /// <summary>The most runs one page shows; the next page is asked for with <c>--page-token</c>.</summary>
    public const int MaxLimit = 1000;

    public static Command Create(CommandLineHost cli)
    {
        var flow = new Option<string?>("--flow") { Description = "Only runs of this flow" };
        var state = new Option<string?>("--state") { Description = "Only runs in this state (Completed, Failed, Running, ...)" };
        var deployment = new Option<string?>("--deployment") { Description = "Only runs started by this deployment" };
        var since = new Option<string?>("--since") { Description = "Only runs created in this span before now (90s, 30m, 2h, 7d, 2w)" };
        var limit = new Option<int>("--limit") { Description = $"The most runs to show (1 to {MaxLimit})", DefaultValueFactory = _ => 20 };
        var pageToken = new Option<string?>("--page-token") { Description = "Continue after the page that printed this token (nextPageToken in --json)" };
        var command = new Command("runs", "List flow runs, newest first") { flow, state, deployment, since, limit, pageToken };
        cli.SetAction(command, async context =>
        {
            var count = context.Value(limit);
            if (count is < 1 or > MaxLimit)
            {
                throw new CommandLineException($"--limit {count} is out of range: expected 1 to {MaxLimit}.");
            }

            var query = new RunQuery
            {
                Kind = RunKind.Flow,
                Name = context.Value(flow),
                State = context.Value(state) is { } s ? StateNames.Parse(s, "--state") : null,
                Deployment = context.Value(deployment),
                CreatedAfter = context.Value(since) is { } span ? context.Time.GetUtcNow() - Spans.Parse(span, "--since") : null,
                Limit = count,
                PageToken = context.Value(pageToken),
            };
            RunPage page;
            try
            {
                page = await context.Store.QueryRunPageAsync(query, context.Cancellation).ConfigureAwait(false);
            }
            catch (ArgumentException ex) when (query.PageToken is not null)
            {
                throw new CommandLineException($"--page-token: {ex.Message.Split(" (Parameter", 2)[0]}");
            }

            var runs = page.Runs;
            if (context.Settings.Json)
            {
                context.WriteJson(new { runs = runs.Select(RunJson.From), nextPageToken = page.NextPageToken });
                return ExitCodes.Success;
            }

            if (runs.Count == 0)
            {
                context.Err.WriteLine("No runs match.", Style.Plain);
                return ExitCodes.Success;
            }

            var table = new Table().NoBorder().HideRowSeparators();
            table.AddColumn(new TableColumn("ID").NoWrap().PadLeft(0));
            table.AddColumn(new TableColumn("FLOW"));
            table.AddColumn(new TableColumn("STATE").NoWrap());
            table.AddColumn(new TableColumn("CREATED").NoWrap());
            table.AddColumn(new TableColumn("TOOK").NoWrap().RightAligned());
            foreach (var run in runs)
            {
                table.AddRow(
                    new Text(run.Id.ToString()),
                    new Text(run.Name) { Overflow = Overflow.Ellipsis },
                    new Text(run.State.ToString(), context.Style(StateStyles.Of(run.State))),
                    new Text(context.Formats.Relative(run.CreatedAt)),
                    new Text(Formats.Duration(run.Duration ?? (run.StartedAt is { } started && run.EndedAt is null ? context.Time.GetUtcNow() - started : null))));
            }

            context.Out.Write(table);
            if (page.NextPageToken is { } next)
            {
                context.Err.WriteLine($"More runs: add --page-token {next}", Style.Plain);
            }

            return ExitCodes.Success;
        });
        return command;
    }
}

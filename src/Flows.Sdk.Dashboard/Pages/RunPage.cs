using Flows.Dashboard.Hosting;
using Flows.Dashboard.Pages.Run;
using Flows.Dashboard.Rendering;
using Flows.Runs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Flows.Dashboard.Pages;

/// <summary>One run: its facts, parameters, error, task tree and timeline, logs and artifacts, live; with cancel and retry.</summary>
internal static class RunPage
{
    public static void Map(RouteGroupBuilder group, DashboardMount mount)
    {
        group.MapGet("/runs/{id}", (HttpContext http, string id) => RenderAsync(DashboardContext.For(http, mount), id));
        group.MapPost("/runs/{id}/cancel", (HttpContext http, string id) => RunActions.CancelAsync(DashboardContext.For(http, mount), id));
        group.MapPost("/runs/{id}/retry", (HttpContext http, string id) => RunActions.RetryAsync(DashboardContext.For(http, mount), id));
    }

    /// <summary>The 404 page for an id that is not a run's.</summary>
    public static IResult UnknownRun(DashboardContext context, string id) =>
        ProblemPage.Render(
            context,
            StatusCodes.Status404NotFound,
            "Run not found",
            Guid.TryParse(id, out _) ? $"No run {id} is in the store (pruned, or from another store?)." : $"'{id}' is not a run id: a run id looks like 0190c3a4-7b1e-7d2f-9a4b-5c6d7e8f9a0b.");

    private static async Task<IResult> RenderAsync(DashboardContext context, string id)
    {
        if (!Guid.TryParse(id, out var runId))
        {
            return UnknownRun(context, id);
        }

        var data = new RunData(context, runId);
        if (await data.RunAsync().ConfigureAwait(false) is not { } run)
        {
            return UnknownRun(context, id);
        }

        if (RunLogs.ReadFilter(context, out var error) is not { } filter)
        {
            return ProblemPage.Render(context, StatusCodes.Status400BadRequest, "Bad log filter", error!);
        }

        var taskNames = run.Kind == RunKind.Flow ? (await data.ChildrenAsync().ConfigureAwait(false)).Tasks.Select(t => t.Name) : [];
        return await context.PageAsync(
            $"{run.Name} {run.State}",
            Nav.Runs,
            Html.Of($"""
                <p class="crumbs"><a href="{context.Url("/")}">Runs</a> › {(run.Kind == RunKind.Flow ? "flow run" : "task run")}</p>
                <h1>{run.Name}</h1>
                {RunSummary.ActionForms(context, run.Id)}
                """),
            PagePart.Live("summary", () => RunSummary.FactsAsync(context, data, run)),
            PagePart.Live("error", () => RunSummary.ErrorAsync(data, run)),
            RunSummary.Parameters(run),
            Html.Raw("<h2 id=\"tasks\">Tasks</h2>"),
            PagePart.Live("tasks", () => RunTasks.RenderAsync(context, data, run)),
            Html.Of($"<h2 id=\"logs\">Logs</h2>{RunLogs.Form(context, run, filter, taskNames)}"),
            PagePart.Live("logs", () => RunLogs.RenderAsync(data, run, filter)),
            Html.Raw("<h2 id=\"artifacts\">Artifacts</h2>"),
            PagePart.Live("artifacts", () => ArtifactList.RenderAsync(data, run)),
            Html.Raw("<h2 id=\"notifications\">Notifications</h2>"),
            PagePart.Live("notifications", () => NotificationList.RenderAsync(data))).ConfigureAwait(false);
    }
}

using Flows.Dashboard.Hosting;
using Flows.Dashboard.Rendering;
using Microsoft.AspNetCore.Http;

namespace Flows.Dashboard.Pages.Run;

/// <summary>An answer refusing a request (unknown run, bad filter, refused action) in the page frame, with its status and a message saying what was wrong.</summary>
internal static class ProblemPage
{
    public static IResult Render(DashboardContext context, int status, string title, string message) =>
        Results.Content(
            Layout.Render(context, title, Nav.Runs, Html.Of($"""
                <h1>{title}</h1>
                <p class="notice error-notice" role="alert">{message}</p>
                <p><a href="{context.Url("/")}">All runs</a></p>
                """)).Value,
            "text/html; charset=utf-8",
            statusCode: status);
}

using System.Globalization;
using Flows.Dashboard.Hosting;

namespace Flows.Dashboard.Rendering;

/// <summary>The frame every page shares: header and navigation, the read-only banner, a notice after an action, the main area.</summary>
internal static class Layout
{
    public static Html Render(DashboardContext context, string title, Nav nav, Html main)
    {
        var notice = context.Http.Request.Query["notice"].ToString();
        var refresh = ((int)context.Options.RefreshInterval.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        return Html.Of($"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{title} · {context.Options.Title}</title>
            <link rel="stylesheet" href="{context.Url(Assets.Path("dashboard.css"))}">
            <script src="{context.Url(Assets.Path("dashboard.js"))}" defer></script>
            </head>
            <body data-refresh="{refresh}">
            <a class="skip" href="#main">Skip to content</a>
            <header class="top">
            <a class="brand" href="{context.Url("/")}">{context.Options.Title}</a>
            <nav aria-label="Sections">{Link(context, nav, Nav.Runs, "/", "Runs")}{Link(context, nav, Nav.Deployments, "/deployments", "Deployments")}{Link(context, nav, Nav.Workers, "/workers", "Workers")}</nav>
            <span class="mode">{(context.CanAct ? Html.Empty : Html.Raw("<span class=\"readonly\" title=\"No authorization is configured on the dashboard's endpoints, so it cannot act.\">Read-only</span>"))}</span>
            </header>
            {Html.If(notice.Length > 0, Html.Of($"<p class=\"notice\" role=\"status\">{notice}</p>"))}
            <main id="main" tabindex="-1">
            {main}
            </main>
            </body>
            </html>
            """);
    }

    private static Html Link(DashboardContext context, Nav current, Nav target, string path, string text) =>
        current == target
            ? Html.Of($"<a href=\"{context.Url(path)}\" aria-current=\"page\">{text}</a>")
            : Html.Of($"<a href=\"{context.Url(path)}\">{text}</a>");
}

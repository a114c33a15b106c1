using System.Security.Cryptography;
using System.Text;
using Flows.Dashboard.Rendering;
using Flows.Orchestration;
using Flows.Stores;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Flows.Dashboard.Hosting;

/// <summary>
/// What a page or action works with for one request: the flow services, the dashboard's address, whether actions are
/// allowed here, and the page frame.
/// </summary>
internal sealed class DashboardContext
{
    /// <summary>The query parameter a page's script adds to ask for one live region alone.</summary>
    public const string LiveParameter = "_live";

    private DashboardContext(HttpContext http, DashboardMount mount)
    {
        Http = http;
        Mount = mount;
        Options = http.RequestServices.GetRequiredService<IOptions<DashboardOptions>>().Value;
        Services = Options.FlowServices ?? http.RequestServices;
        Sharing = http.RequestServices.GetRequiredService<QuerySharing>();
        Root = http.Request.PathBase.Add(mount.Prefix).Value?.TrimEnd('/') ?? string.Empty;
    }

    public HttpContext Http { get; }

    public DashboardMount Mount { get; }

    public DashboardOptions Options { get; }

    /// <summary>Where the flow engine, store, deployments and clients come from.</summary>
    public IServiceProvider Services { get; }

    /// <summary>Store answers shared between pages (see <see cref="QuerySharing"/>).</summary>
    public QuerySharing Sharing { get; }

    /// <summary>The dashboard's own address, without a trailing slash: <c>/flows</c>.</summary>
    public string Root { get; }

    public CancellationToken Aborted => Http.RequestAborted;

    /// <summary>The application's engine.</summary>
    public FlowEngine Engine =>
        Services.GetService<FlowEngine>()
        ?? throw new InvalidOperationException("The Flows dashboard needs the Flows engine: call services.AddFlows().");

    /// <summary>The store runs are recorded in.</summary>
    public IRunStore Store => Engine.Store;

    /// <summary>Deployments, when the application uses orchestration (<c>services.AddOrchestration()</c>); else null.</summary>
    public IDeployments? Deployments => Services.GetService<IDeployments>();

    /// <summary>The client that queues, runs and cancels through orchestration; null without it.</summary>
    public IFlowClient? Client => Services.GetService<IFlowClient>();

    public TimeProvider Time => Services.GetService<TimeProvider>() ?? TimeProvider.System;

    /// <summary>
    /// True when actions (cancel, retry, pause, resume, run) are allowed: the dashboard's endpoints carry authorization,
    /// or the options allow actions without it. Otherwise the dashboard is read-only.
    /// </summary>
    public bool CanAct
    {
        get
        {
            if (Options.AllowActionsWithoutAuthorization)
            {
                return true;
            }

            var metadata = Http.GetEndpoint()?.Metadata;
            return metadata is not null && metadata.GetOrderedMetadata<IAuthorizeData>().Count > 0 && metadata.GetMetadata<IAllowAnonymous>() is null;
        }
    }

    /// <summary>Who asked for an action: the signed-in user's name, else "dashboard".</summary>
    public string Requester => Http.User.Identity?.Name is { Length: > 0 } name ? $"{name} (dashboard)" : "dashboard";

    public static DashboardContext For(HttpContext http, DashboardMount mount) => new(http, mount);

    /// <summary>An address inside the dashboard: <c>Url("/runs/…")</c> is <c>/flows/runs/…</c>.</summary>
    public string Url(string path) => Root + path;

    /// <summary>The hidden field carrying the antiforgery token every action form posts.</summary>
    public Html AntiforgeryField()
    {
        var tokens = Http.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(Http);
        return Html.Of($"<input type=\"hidden\" name=\"{tokens.FormFieldName}\" value=\"{tokens.RequestToken}\">");
    }

    /// <summary>
    /// Null when an action may go ahead: allowed here (<see cref="CanAct"/>) and its antiforgery token valid; else the
    /// answer refusing it (403, or 400 for a missing or wrong token).
    /// </summary>
    public async Task<IResult?> RefuseActionAsync()
    {
        if (!CanAct)
        {
            return Results.Text(
                "This dashboard is read-only: its endpoints carry no authorization. Protect them (MapFlowsDashboard(...).RequireAuthorization(...)) to cancel, retry, pause and run from it.",
                statusCode: StatusCodes.Status403Forbidden);
        }

        try
        {
            await Http.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(Http).ConfigureAwait(false);
            return null;
        }
        catch (AntiforgeryValidationException)
        {
            return Results.Text("The form's antiforgery token is missing or not valid: reload the page and try again.", statusCode: StatusCodes.Status400BadRequest);
        }
    }

    /// <summary>Back to <paramref name="path"/> (inside the dashboard) after an action, with a note shown at the top of the page.</summary>
    public IResult SeeOther(string path, string? notice = null)
    {
        var target = notice is null ? Url(path) : QueryStringAdd(Url(path), "notice", notice);
        Http.Response.Headers.Location = target;
        return Results.StatusCode(StatusCodes.Status303SeeOther);
    }

    /// <summary>
    /// The page: its parts in the dashboard's frame; or, when the page's script asks for one live region
    /// (<see cref="LiveParameter"/>), that region alone, answered 304 when it is what the script already has.
    /// </summary>
    public async Task<IResult> PageAsync(string title, Nav nav, params PagePart[] parts)
    {
        var live = Http.Request.Query[LiveParameter].ToString();
        if (live.Length > 0)
        {
            var region = parts.FirstOrDefault(p => p.LiveName == live);
            if (region?.Render is null)
            {
                return Results.NotFound();
            }

            var content = (await region.Render().ConfigureAwait(false)).Value;
            var etag = ETagOf(content);
            Http.Response.Headers.CacheControl = "no-cache";
            Http.Response.Headers.ETag = etag;
            if (Http.Request.Headers.IfNoneMatch.ToString() == etag)
            {
                return Results.StatusCode(StatusCodes.Status304NotModified);
            }

            return Results.Content(content, "text/html; charset=utf-8");
        }

        var body = new StringBuilder();
        foreach (var part in parts)
        {
            if (part.Render is null)
            {
                body.Append(part.Fixed.Value);
                continue;
            }

            var content = await part.Render().ConfigureAwait(false);
            // The region's ETag comes with it, so the script's first refresh is a 304 (not a swap) when nothing changed.
            body.Append(Html.Of($"<div class=\"live\" id=\"live-{part.LiveName}\" data-live=\"{part.LiveName}\" data-etag=\"{ETagOf(content.Value)}\">{content}</div>").Value);
        }

        Http.Response.Headers.CacheControl = "no-store";
        return Results.Content(Layout.Render(this, title, nav, Html.Raw(body.ToString())).Value, "text/html; charset=utf-8");
    }

    /// <summary>A live region's ETag: a hash of its markup.</summary>
    private static string ETagOf(string content) => "\"" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(content)), 0, 12) + "\"";

    private static string QueryStringAdd(string url, string name, string value) =>
        url + (url.Contains('?', StringComparison.Ordinal) ? "&" : "?") + Uri.EscapeDataString(name) + "=" + Uri.EscapeDataString(value);
}

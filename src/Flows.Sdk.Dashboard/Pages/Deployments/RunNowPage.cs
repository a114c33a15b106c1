using Flows.Dashboard.Logging;
using System.Text.Json;
using Flows.CompilerServices;
using Flows.Dashboard.Hosting;
using Flows.Dashboard.Rendering;
using Flows.Orchestration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Flows.Dashboard.Pages.Deployments;

/// <summary>
/// "Run now" for one deployment: a form generated from its flow's parameter types, prefilled with the deployment's
/// parameters and checked by the browser (required, number steps and ranges, patterns); on the server each field is
/// read as the command line reads <c>--param</c> (<see cref="ParameterText"/>) and checked by the engine, and a refusal
/// shows the form again (400) with each problem next to its field. A run it queues opens on its run page.
/// </summary>
internal static class RunNowPage
{
    /// <summary>How the engine's parameter binder reads JSON (its options are internal to Flows.Sdk): web names, strict numbers, enums by name.</summary>
    private static readonly JsonSerializerOptions ReadAsTheEngine = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    public static void Map(RouteGroupBuilder group, DashboardMount mount)
    {
        group.MapGet("/deployments/{name}/run", (HttpContext http, string name) => ShowAsync(DashboardContext.For(http, mount), name));
        group.MapPost("/deployments/{name}/run", (HttpContext http, string name) => RunAsync(DashboardContext.For(http, mount), name));
    }

    private static async Task<IResult> ShowAsync(DashboardContext context, string name)
    {
        var (deployment, missing) = await DeploymentLookup.FindAsync(context, name).ConfigureAwait(false);
        if (deployment is null)
        {
            return missing!;
        }

        var texts = deployment.Parameters.ToDictionary(p => p.Key, p => ParameterField.Text(p.Value), StringComparer.Ordinal);
        return Page(context, deployment, texts, new Dictionary<string, string>(StringComparer.Ordinal), StatusCodes.Status200OK);
    }

    private static async Task<IResult> RunAsync(DashboardContext context, string name)
    {
        if (await context.RefuseActionAsync().ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        var (deployment, missing) = await DeploymentLookup.FindAsync(context, name).ConfigureAwait(false);
        if (deployment is null)
        {
            return missing!;
        }

        if (RunCatalog.FindFlow(deployment.Flow) is not { } flow || context.Client is not { } client)
        {
            return Page(context, deployment, new Dictionary<string, string>(), new Dictionary<string, string>(), StatusCodes.Status409Conflict);
        }

        var form = await context.Http.Request.ReadFormAsync(context.Aborted).ConfigureAwait(false);
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        var given = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var field in ParameterField.Of(flow))
        {
            // A checkbox posts a hidden "false" before its "true": the last value is the one that counts.
            var text = form[field.FormName].LastOrDefault() ?? string.Empty;
            texts[field.Name] = text;
            if (field.Kind != FieldKind.Text)
            {
                text = text.Trim();
            }

            if (text.Length == 0)
            {
                if (field.Required && !deployment.Parameters.ContainsKey(field.Name))
                {
                    errors[field.Name] = $"Parameter '{field.Name}' is required: the flow has no default for it.";
                }

                continue;
            }

            var value = ParameterText.ToJson(field.Parameter.Type, text);
            if (Unreadable(flow, field, value) is { } problem)
            {
                errors[field.Name] = problem;
                continue;
            }

            given[field.Name] = value;
        }

        Check(deployment, given, errors);
        if (errors.Count == 0)
        {
            try
            {
                var runId = await client.RunDeploymentAsync(deployment.Name, given, context.Aborted).ConfigureAwait(false);
                DeploymentLookup.Logger(context).RunQueued(deployment.Name, context.Requester, runId, given.Count);
                return context.SeeOther($"/runs/{runId}", $"Queued run {runId} of deployment {deployment.Name} in queue '{deployment.Queue}'.");
            }
            catch (FlowParameterException ex)
            {
                errors[ex.ParameterName] = ex.Message;
            }
            catch (ArgumentException ex)
            {
                // The deployment went away, or its flow is not loaded here: said as the client says it.
                errors[string.Empty] = ex.Message.Split(" (Parameter '", 2)[0];
            }
        }

        DeploymentLookup.Logger(context).RunRefused(deployment.Name, context.Requester, errors.Count, string.Join(", ", errors.Keys.Where(k => k.Length > 0)));
        return Page(context, deployment, texts, errors, StatusCodes.Status400BadRequest);
    }

    /// <summary>
    /// Why the engine would not read <paramref name="value"/> as the field's type, in its words; null when it would. Each
    /// field is read here on its own, so every mistyped field is named at once (the engine's check stops at the first).
    /// </summary>
    private static string? Unreadable(RunDescriptor flow, ParameterField field, JsonElement value)
    {
        try
        {
            _ = value.Deserialize(field.Parameter.Type, ReadAsTheEngine);
            return null;
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException)
        {
            var shown = value.GetRawText();
            shown = shown.Length > 80 ? string.Concat(shown.AsSpan(0, 77), "...") : shown;
            return $"Flow '{flow.Name}': parameter '{field.Name}' expected {field.Parameter.TypeDisplay} but got {shown} (a JSON {value.ValueKind.ToString().ToLowerInvariant()}).";
        }
    }

    /// <summary>
    /// The engine's check of the deployment's parameters with the given ones over them (a missing or unknown parameter,
    /// and the last word on every value): each parameter it refuses is noted and left out, and the check runs again
    /// while that can find more.
    /// </summary>
    private static void Check(DeploymentInfo deployment, Dictionary<string, JsonElement> given, Dictionary<string, string> errors)
    {
        var merged = new Dictionary<string, JsonElement>(deployment.Parameters, StringComparer.Ordinal);
        foreach (var (name, value) in given)
        {
            merged[name] = value;
        }

        for (var round = 0; round <= merged.Count; round++)
        {
            try
            {
                FlowCatalog.CheckParameters(deployment.Flow, merged);
                return;
            }
            catch (FlowParameterException ex)
            {
                var again = errors.ContainsKey(ex.ParameterName);
                errors.TryAdd(ex.ParameterName, ex.Message);
                if (again || !merged.Remove(ex.ParameterName))
                {
                    return;
                }

                given.Remove(ex.ParameterName);
            }
        }
    }

    private static IResult Page(DashboardContext context, DeploymentInfo deployment, Dictionary<string, string> texts, Dictionary<string, string> errors, int status)
    {
        var title = $"Run {deployment.Name} now";
        var heading = Html.Of($"<h1>Run <a href=\"{context.Url("/deployments")}\">{deployment.Name}</a> now</h1>");
        if (RunCatalog.FindFlow(deployment.Flow) is not { } flow)
        {
            return DeploymentLookup.Frame(context, title, Html.Of($"""
                {heading}<p class="notice error-notice deployment-notice" role="alert">Deployment {deployment.Name} runs flow '{deployment.Flow}', which this application's code does not declare: run it from an application that has the flow's code (a replica serving its queue, or the command line: <code>flows run {deployment.Name} --queue</code>).</p>
                """), status == StatusCodes.Status200OK ? StatusCodes.Status409Conflict : status);
        }

        if (!context.CanAct || context.Client is null)
        {
            var why = context.Client is null
                ? "Running a deployment now queues it through orchestration, which this application does not register (services.AddOrchestration())."
                : "This dashboard is read-only: its endpoints carry no authorization. Protect them (MapFlowsDashboard(...).RequireAuthorization(...)) to run deployments from it.";
            return DeploymentLookup.Frame(context, title, Html.Of($"{heading}<p class=\"notice deployment-notice\" role=\"status\">{why}</p>"), status == StatusCodes.Status200OK ? status : StatusCodes.Status409Conflict);
        }

        var fields = ParameterField.Of(flow);
        var secrets = ParameterField.Secrets(flow);
        var general = errors.Where(e => !fields.Any(f => f.Name == e.Key)).Select(e => e.Value).ToList();
        var main = Html.Of($"""
            {heading}
            <p>A run of flow <code>{flow.Name}</code> queued in <code>{deployment.Queue}</code>, recorded as deployment {deployment.Name}'s. Fields start with the deployment's parameters; an empty field means the deployment's value, else the flow's default.</p>
            {Html.If(errors.Count > 0, Html.Of($"<div class=\"notice error-notice deployment-notice\" role=\"alert\" id=\"form-errors\"><p>The run was not queued: {(errors.Count == 1 ? "one parameter was" : $"{errors.Count} parameters were")} refused, see below.</p>{Html.Join(general, g => Html.Of($"<p>{g}</p>"))}</div>"))}
            <form method="post" class="run-form" action="{context.Url(DeploymentLookup.PathOf(deployment.Name, "/run"))}">
            {context.AntiforgeryField()}
            {(fields.Count == 0 ? Html.Raw("<p class=\"muted\">The flow takes no parameters.</p>") : Html.Join(fields, f => Field(f, texts.GetValueOrDefault(f.Name), errors.GetValueOrDefault(f.Name))))}
            {Html.If(secrets.Count > 0, Html.Of($"<p class=\"muted\">{Html.Join(secrets, s => Html.Of($"<code>{s.Name}</code> "))}: [Secret] {(secrets.Count == 1 ? "parameter" : "parameters")}, resolved from {(secrets.Count == 1 ? "its secret" : "their secrets")} when the run starts; never typed here.</p>"))}
            <p><button type="submit" class="primary">Run now</button> <a href="{context.Url("/deployments")}">Back to deployments</a></p>
            </form>
            """);
        return DeploymentLookup.Frame(context, title, main, status);
    }

    private static Html Field(ParameterField field, string? text, string? error)
    {
        var describedBy = Html.Of($" aria-describedby=\"{field.Id}-hint{(error is null ? string.Empty : $" {field.Id}-error")}\"");
        var invalid = Html.If(error is not null, Html.Raw(" aria-invalid=\"true\""));
        var required = Html.If(field.Required, Html.Raw(" required"));
        var placeholder = Html.If(field.Default is not null, Html.Of($" placeholder=\"default: {field.Default}\""));
        var value = text ?? string.Empty;
        var control = field.Kind switch
        {
            FieldKind.Checkbox => Html.Of($"<input type=\"hidden\" name=\"{field.FormName}\" value=\"false\"><input type=\"checkbox\" id=\"{field.Id}\" name=\"{field.FormName}\" value=\"true\"{Html.If(string.Equals(text ?? field.Default, "true", StringComparison.OrdinalIgnoreCase), Html.Raw(" checked"))}{describedBy}{invalid}>"),
            FieldKind.Integer => Html.Of($"<input type=\"number\" step=\"1\" inputmode=\"numeric\" id=\"{field.Id}\" name=\"{field.FormName}\" value=\"{value}\"{Html.If(field.Min is not null, Html.Of($" min=\"{field.Min}\""))}{Html.If(field.Max is not null, Html.Of($" max=\"{field.Max}\""))}{required}{placeholder}{describedBy}{invalid}>"),
            FieldKind.Number => Html.Of($"<input type=\"number\" step=\"any\" inputmode=\"decimal\" id=\"{field.Id}\" name=\"{field.FormName}\" value=\"{value}\"{required}{placeholder}{describedBy}{invalid}>"),
            FieldKind.Choice => Html.Of($"<select id=\"{field.Id}\" name=\"{field.FormName}\"{required}{describedBy}{invalid}><option value=\"\">{(field.Required ? "Choose…" : $"(default{(field.Default is null ? string.Empty : ": " + field.Default)})")}</option>{Html.Join(field.Choices ?? [], c => Html.Of($"<option{Html.If(c == value, Html.Raw(" selected"))}>{c}</option>"))}</select>"),
            FieldKind.Pattern => Html.Of($"<input type=\"text\" id=\"{field.Id}\" name=\"{field.FormName}\" value=\"{value}\" pattern=\"{field.Pattern}\" title=\"{field.Hint}\"{required}{placeholder}{describedBy}{invalid}>"),
            FieldKind.Json => Html.Of($"<textarea id=\"{field.Id}\" name=\"{field.FormName}\" rows=\"3\"{required}{placeholder}{describedBy}{invalid}>{value}</textarea>"),
            _ => Html.Of($"<input type=\"text\" id=\"{field.Id}\" name=\"{field.FormName}\" value=\"{value}\"{Html.If(field.Parameter.Type == typeof(char) || field.Parameter.Type == typeof(char?), Html.Raw(" maxlength=\"1\""))}{required}{placeholder}{describedBy}{invalid}>"),
        };
        var hint = field.Hint ?? (field.Default is { } d ? $"Default: {d}." : field.Required ? "Required." : string.Empty);
        return Html.Of($"""
            <div class="field{(error is null ? string.Empty : " has-error")}">
            <label for="{field.Id}">{field.Name} <span class="muted">({field.Parameter.TypeDisplay}){(field.Required ? ", required" : string.Empty)}</span></label>
            {control}
            <small class="muted" id="{field.Id}-hint">{hint}</small>
            {Html.If(error is not null, Html.Of($"<p class=\"field-error\" id=\"{field.Id}-error\">{error}</p>"))}
            </div>
            """);
    }
}

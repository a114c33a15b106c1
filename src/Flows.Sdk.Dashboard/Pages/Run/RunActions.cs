using Flows.Dashboard.Logging;
using Flows.Dashboard.Hosting;
using Flows.Orchestration;
using Flows.Runs;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Flows.Dashboard.Pages.Run;

/// <summary>
/// Cancel and retry from a run's page: POSTs with an antiforgery token, refused on a read-only dashboard, done by
/// <see cref="RunControl"/> as the command line does them, then back to a run's page with a note saying what happened.
/// </summary>
internal static class RunActions
{
    /// <summary>The longest cancel reason accepted.</summary>
    public const int MaxReasonLength = 500;

    public static async Task<IResult> CancelAsync(DashboardContext context, string id)
    {
        if (await context.RefuseActionAsync().ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        if (!Guid.TryParse(id, out var runId))
        {
            return RunPage.UnknownRun(context, id);
        }

        var form = await context.Http.Request.ReadFormAsync(context.Aborted).ConfigureAwait(false);
        var given = form["reason"].ToString().Trim();
        if (given.Length > MaxReasonLength)
        {
            return ProblemPage.Render(context, StatusCodes.Status400BadRequest, "Run not cancelled", $"reason: at most {MaxReasonLength} characters (this one has {given.Length}).");
        }

        var reason = given.Length == 0 ? $"Cancelled from the dashboard by {context.Requester}." : $"{given} (cancelled from the dashboard by {context.Requester})";
        RunCancellation cancellation;
        try
        {
            cancellation = await Control(context).CancelAsync(runId, reason, context.Aborted).ConfigureAwait(false);
        }
        catch (RunControlException ex)
        {
            return Refused(context, ex, "Run not cancelled");
        }

        Logger(context).CancelAsked(runId, context.Requester, cancellation.Outcome);
        var notice = cancellation.Outcome switch
        {
            RunCancelOutcome.AlreadyEnded when cancellation.Before.State.IsFinal() => $"The run had already ended {cancellation.Before.State}: nothing to cancel.",
            RunCancelOutcome.AlreadyEnded => $"The run ended {cancellation.After.State} before the cancel reached it.",
            RunCancelOutcome.CancelledBeforeStart => "The run was cancelled before it started.",
            _ => "Cancel requested: the process running the run stops it within about a second.",
        };
        return context.SeeOther($"/runs/{runId}", notice);
    }

    public static async Task<IResult> RetryAsync(DashboardContext context, string id)
    {
        if (await context.RefuseActionAsync().ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        if (!Guid.TryParse(id, out var runId))
        {
            return RunPage.UnknownRun(context, id);
        }

        Guid retried;
        try
        {
            retried = await Control(context).RetryAsync(runId, context.Aborted).ConfigureAwait(false);
        }
        catch (RunControlException ex)
        {
            return Refused(context, ex, "Run not retried");
        }
        catch (FlowParameterException ex)
        {
            return ProblemPage.Render(context, StatusCodes.Status409Conflict, "Run not retried", $"The run's recorded parameters no longer fit its flow: {ex.Message}");
        }

        Logger(context).RetryAsked(runId, context.Requester, retried);
        return context.SeeOther($"/runs/{retried}", $"A retry of run {runId}: this new run has its parameters.");
    }

    /// <summary>The application's <see cref="RunControl"/> (orchestration registers one), else one over the engine alone.</summary>
    private static RunControl Control(DashboardContext context) =>
        context.Services.GetService<RunControl>() ?? new RunControl(context.Engine, context.Client);

    private static IResult Refused(DashboardContext context, RunControlException ex, string title) => ex.Refusal switch
    {
        RunControlRefusal.UnknownRun => RunPage.UnknownRun(context, ex.RunId.ToString()),
        RunControlRefusal.NotAFlowRun or RunControlRefusal.MaskedParameter => ProblemPage.Render(context, StatusCodes.Status400BadRequest, title, ex.Message),
        _ => ProblemPage.Render(context, StatusCodes.Status409Conflict, title, ex.Message),
    };

    private static ILogger Logger(DashboardContext context) =>
        context.Http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(DashboardLog.Category);
}

using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Flows.Cli.Commands;

/// <summary>
/// <c>flows dashboard [--urls] [--allow-actions]</c>: serves the run dashboard over the application's stores until
/// stopped (Ctrl+C or SIGTERM end it with 0). It has no authorization of its own, so it binds to loopback only and is
/// read-only unless <c>--allow-actions</c>; to serve it to others, mount it in the application with
/// <c>app.MapFlowsDashboard("/flows").RequireAuthorization(...)</c>.
/// </summary>
internal static class DashboardVerb
{
    /// <summary>Where the dashboard listens when <c>--urls</c> is not given.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5080";

    public static Command Create(CommandLineHost cli)
    {
        var urls = new Option<string>("--urls")
        {
            Description = $"Where to listen, ';'-separated, loopback only (default {DefaultUrl}; port 0 picks a free one)",
            DefaultValueFactory = _ => DefaultUrl,
        };
        var allowActions = new Option<bool>("--allow-actions")
        {
            Description = "Let the page cancel, retry, pause, resume and run (anyone who can reach the loopback port can)",
        };
        var command = new Command("dashboard", "Serve the run dashboard on this machine (loopback only) until stopped") { urls, allowActions };
        cli.SetAction(
            command,
            async context =>
            {
                var addresses = Loopback(context.Value(urls) ?? DefaultUrl);
                var actions = context.Value(allowActions);
                await using var app = Build(context, addresses, actions);
                try
                {
                    await app.StartAsync(context.Cancellation).ConfigureAwait(false);
                }
                catch (IOException ex)
                {
                    throw new CommandLineException($"The dashboard cannot listen on {string.Join(", ", addresses)}: {ex.Message}");
                }

                var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
                foreach (var address in bound)
                {
                    context.Out.WriteLine($"Dashboard at {address}/", Style.Plain);
                }

                context.Err.WriteLine(
                    actions
                        ? "No authorization: serving on loopback only. Actions are allowed (--allow-actions): anyone who can reach this port can cancel, retry, pause and run."
                        : "No authorization: serving on loopback only, read-only. Give --allow-actions to cancel, retry, pause and run from the page; "
                          + "to serve it to others, mount it in the application behind authorization (MapFlowsDashboard(...).RequireAuthorization()).",
                    Style.Plain);
                context.Err.WriteLine("Press Ctrl+C to stop.", Style.Plain);
                await app.WaitForShutdownAsync(context.Cancellation).ConfigureAwait(false);
                return ExitCodes.Success;
            },
            handlesSignals: false);
        return command;
    }

    private static WebApplication Build(CommandContext context, IReadOnlyList<string> addresses, bool allowActions)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseUrls([.. addresses]);
        builder.Logging.ClearProviders();
        builder.Services.AddFlowsDashboard(o =>
        {
            o.FlowServices = context.Services;
            o.AllowActionsWithoutAuthorization = allowActions;
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        var app = builder.Build();
        app.MapFlowsDashboard("/");
        return app;
    }

    /// <summary>The addresses of <paramref name="urls"/>, each checked to be an http(s) address on loopback.</summary>
    private static List<string> Loopback(string urls)
    {
        var list = new List<string>();
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || uri.AbsolutePath != "/")
            {
                throw new CommandLineException($"--urls: '{url}' is not an address to listen on (expected http://127.0.0.1:5080, say).");
            }

            if (!uri.IsLoopback)
            {
                throw new CommandLineException(
                    $"--urls: '{url}' is not a loopback address. 'flows dashboard' has no authorization, so it serves this machine only (127.0.0.1, [::1], localhost); "
                    + "to serve the dashboard to others, mount it in the application behind authorization: app.MapFlowsDashboard(\"/flows\").RequireAuthorization().");
            }

            list.Add(url.TrimEnd('/'));
        }

        return list.Count > 0 ? list : throw new CommandLineException("--urls is empty: give an address such as http://127.0.0.1:5080.");
    }
}

using Flows;
using Flows.ClusterHelper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// Usage: Flows.Sdk.ClusterHelper --Helper:Name r1 [--Helper:Mode serve|client] [--Helper:Version 2.0.0]
//        --Flows:Store:ConnectionString CS [--Flows:Store:Schema S] [--Flows:Orchestration:* ...] [--Flows:Limits:* ...]
// Every setting may come from the environment instead (Helper__Name, Flows__Store__ConnectionString, ...), as a
// container's would.
//
// serve (default): one replica of a clustered application - AddFlows(), the PostgreSQL store, AddOrchestration() -
// running the flows of ClusterFlows. With Helper:Version it runs as that code version and declares the deployments
// of that version (RollingDeployments). Prints READY once started, one line per run event of its flows (see
// Replica.Line) and one per orchestration or runtime log event (EventLines).
//
// client: a fourth process that serves nothing (Schedules and Works off) and reads commands from standard input,
// answering each with one line (see ClientCommands).
//
// Both stop gracefully when standard input reads "stop" or closes, then print STOPPED.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, DisableDefaults = true });
builder.Configuration.AddEnvironmentVariables().AddCommandLine(args);
var client = builder.Configuration["Helper:Mode"] == "client";
if (client)
{
    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Flows:Orchestration:Schedules"] = "false",
        ["Flows:Orchestration:Works"] = "false",
    });
}

Replica.Name = builder.Configuration["Helper:Name"] ?? (client ? "client" : "replica");
var version = builder.Configuration["Helper:Version"];
if (version is not null)
{
    RollingDeployments.RunAs(version);
}

builder.Logging.ClearProviders().AddProvider(new EventLines("Flows.Orchestration", "Flows.Runtime")).SetMinimumLevel(LogLevel.Information)
    .AddConfiguration(builder.Configuration.GetSection("Logging"));
builder.Services.AddFlows();
builder.Services.AddFlowsPostgreSqlStore();
builder.Services.AddOrchestration(o =>
{
    o.DeployFlowSchedules = false;
    if (version is not null)
    {
        RollingDeployments.Declare(o, version);
    }
});

using var host = builder.Build();
await host.StartAsync();
EventLines.WriteLine("READY");
if (client)
{
    await ClientCommands.RunAsync(host.Services);
}
else
{
    while (Console.ReadLine() is { } line && line != "stop")
    {
    }
}

await host.StopAsync();
EventLines.WriteLine("STOPPED");

using System.Globalization;
using Flows;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// Usage: Flows.Sdk.SchedulerHelper --Helper:Cron "* * * * * *" [--Helper:Store postgres] [--Flows:Home DIR]
//        [--Flows:Store:ConnectionString CS --Flows:Store:Schema S] [any other Flows:* setting]
// A host with one deployment ("tick", flow "helper-tick") on the stores its configuration names. Prints READY once
// started, then one line per orchestration event: "EVENT <id> <deployment> <slot>" (slot fired 4010, duplicate slot
// 4011, ...). Stops gracefully (SIGTERM's path) when standard input reads "stop" or closes, then prints STOPPED.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, DisableDefaults = true });
builder.Configuration.AddCommandLine(args);
builder.Logging.ClearProviders().AddProvider(new EventLines("Flows.Orchestration")).SetMinimumLevel(LogLevel.Debug);
var flows = builder.Services.AddFlows();
if (builder.Configuration["Helper:Store"] == "postgres")
{
    builder.Services.AddFlowsPostgreSqlStore();
}

var cron = builder.Configuration["Helper:Cron"] ?? throw new ArgumentException("--Helper:Cron is required");
flows.AddOrchestration(o =>
{
    o.DeployFlowSchedules = false;
    o.Deploy("tick", "helper-tick", d => d.Cron(cron));
});

using var host = builder.Build();
await host.StartAsync();
Console.WriteLine("READY");
while (Console.ReadLine() is { } line && line != "stop")
{
}

await host.StopAsync();
Console.WriteLine("STOPPED");

internal static class HelperFlows
{
    [Flow("helper-tick")]
    public static void Tick()
    {
    }
}

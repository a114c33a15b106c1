using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Scheduled;

// A hosted app whose schedules live in code: Deployments.Declare is the whole schedule, reviewed like any other code.
// Runs go to $FLOWS_HOME/flows.db (default ~/.flows), the schedule to quartz.db beside it. Ctrl+C (or SIGTERM) stops
// firing, lets running flows finish within Flows:Orchestration:ShutdownGrace, then cancels them.
var builder = Host.CreateApplicationBuilder(args);
builder.Logging.ClearProviders().AddSimpleConsole(o =>
{
    o.SingleLine = true;
    o.TimestampFormat = "HH:mm:ss ";
});
builder.Logging.AddFilter("Quartz", LogLevel.Warning);   // Quartz's own start-up chatter; its warnings still show
builder.Services.AddFlows().AddOrchestration(Deployments.Declare);
await builder.Build().RunAsync();

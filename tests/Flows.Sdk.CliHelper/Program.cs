using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// An application as a team writes one: its flows, a store from the environment, one deployment, and the flows
// command line as its Program. `dotnet Flows.Sdk.CliHelper.dll runs --json`, `... run cli-greet --param name=Ada`.
var builder = Host.CreateApplicationBuilder();
builder.Services.AddFlows();
if (!string.IsNullOrEmpty(builder.Configuration["Flows:Store:ConnectionString"]))
{
    builder.Services.AddFlowsPostgreSqlStore();
}

builder.Services.AddOrchestration(o => o
    .Deploy("cli-greet-daily", "cli-greet", d => d
        .Cron("0 6 * * *", "UTC")
        .Parameters(new { name = "daily" })));

using var app = builder.Build();
return await app.RunFlowsAsync(args);

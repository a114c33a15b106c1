using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// An application whose Program is the flows command line: `dotnet run -- run import-orders --param regions=eu,us`,
// `dotnet run -- runs`, `dotnet run -- retry <id>`; with no verb it serves (scheduler + workers), as a container runs it.
// The builder gets no args: the command line is the verbs' (see docs/cli.md), and settings come from appsettings and
// the environment (FLOWS_HOME, Flows__Store__..., SHOP_API_KEY).
var builder = Host.CreateApplicationBuilder();
builder.Logging.ClearProviders().AddSimpleConsole(o =>
{
    o.SingleLine = true;
    o.TimestampFormat = "HH:mm:ss ";
});
builder.Logging.AddFilter("Quartz", LogLevel.Warning);
builder.Services.AddFlows().AddOrchestration(o => o
    .Deploy("orders-nightly", "import-orders", d => d
        .Cron("0 2 * * *", "Europe/Paris")
        .Parameters(new { regions = new[] { "eu", "us", "apac" } })));

using var app = builder.Build();
return await app.RunFlowsAsync(args);

using Flows.Cli;
using Flows.Cli.Tool;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// The standalone `flows` tool: the verbs that need no application code over a store named on the command line or in
// the environment. No appsettings.json and no logging to the console: its output is the verbs' own.
var (rest, store, error) = ToolStore.Take(args);
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
builder.Configuration.AddEnvironmentVariables();
var (postgreSql, storeError) = error is null ? ToolStore.Configure(store, builder.Configuration) : (false, error);
if (storeError is not null && !rest.Any(a => a is "--help" or "-h" or "-?" or "--version"))
{
    await Console.Error.WriteLineAsync("flows: " + storeError);
    return ExitCodes.BadInput;
}

builder.Services.AddFlows();
if (postgreSql)
{
    builder.Services.AddFlowsPostgreSqlStore();
}

using var host = builder.Build();
return await FlowsCommandLine.RunAsync(rest, host, new FlowsCommandLineOptions { StoreOnly = true });

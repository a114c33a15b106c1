using Flows;
using Microsoft.Extensions.Logging;
using QuickStart;
using Serilog;
using Serilog.Extensions.Logging;

// Serilog writes every line to the console with the run it belongs to; the engine also stores each line with its run.
Log.Logger = new LoggerConfiguration()
    .MinimumLevel.Information()
    .Enrich.FromLogContext()
    .WriteTo.Console(outputTemplate: "{Timestamp:HH:mm:ss.fff} {Level:u3} {FlowName,-12} {TaskName,-17} {Message:lj}{NewLine}{Exception}")
    .CreateLogger();
using var loggerFactory = new SerilogLoggerFactory(Log.Logger, dispose: true);
await using var engine = new FlowEngine(new FlowEngineOptions { LoggerFactory = loggerFactory });
FlowEngine.Default = engine;

var report = new WeatherReport(new WeatherFeed(flakyCity: "Pittsburgh"));
var cities = args.Length > 0 ? args : ["Columbus", "Pittsburgh", "Cleveland"];
var table = await report.Run(cities);

Console.WriteLine();
Console.WriteLine(table);

var run = (await engine.Store.QueryRunsAsync(new Flows.Stores.RunQuery { Name = "daily-report", Limit = 1 })).Single();
Console.WriteLine();
Console.WriteLine($"Run {run.Id}:");
Console.Write(await RunTree.RenderAsync(engine.Store, run.Id));
return run.State.IsSuccess() ? 0 : 1;

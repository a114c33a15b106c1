using Flows;
using Flows.Runs;
using Flows.Stores;
using Flows.Stores.Sqlite;
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

// Runs are recorded in the embedded SQLite store: $FLOWS_HOME/flows.db, by default ~/.flows/flows.db.
await using var store = new SqliteRunStore(SqliteRunStoreOptions.FromEnvironment());
await using var engine = new FlowEngine(new FlowEngineOptions { LoggerFactory = loggerFactory, Store = store });
FlowEngine.Default = engine;

var report = new WeatherReport(new WeatherFeed(flakyCity: "Pittsburgh"));
var cities = args.Length > 0 ? args : ["Columbus", "Pittsburgh", "Cleveland"];
var table = await report.Run(cities);

Console.WriteLine();
Console.WriteLine(table);

var recent = await store.QueryRunsAsync(new RunQuery { Name = "daily-report", Limit = 5 });
var run = recent[0];
Console.WriteLine();
Console.WriteLine($"Run {run.Id}:");
Console.Write(await RunTree.RenderAsync(store, run.Id));

Console.WriteLine();
Console.WriteLine($"History is kept in {store.Path}. Latest runs of daily-report, newest first:");
foreach (var past in recent)
{
    Console.WriteLine($"  {past.CreatedAt.ToLocalTime():yyyy-MM-dd HH:mm:ss}  {past.Id}  {past.State,-9}  {past.Duration?.TotalMilliseconds,8:0.#} ms");
}

return run.State.IsSuccess() ? 0 : 1;

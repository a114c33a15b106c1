using Flows;
using Flows.Redshift;
using Flows.Stores;
using Npgsql;
using Serilog;
using Serilog.Extensions.Logging;

namespace CivisMigration;

/// <summary>
/// Runs the migrated workflow once. Connection: the Civis-style credential REDSHIFT (REDSHIFT_USERNAME,
/// REDSHIFT_PASSWORD, REDSHIFT_HOST, REDSHIFT_PORT, REDSHIFT_DATABASE, as a Civis container script sees it), or
/// <c>--connection-string</c>. Exit codes: 0 the run completed, 1 it failed, 2 bad usage or configuration.
/// </summary>
public static class CivisMigrationApp
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (!TryParse(args, out var connectionString, out var schema, out var since, out var usage))
        {
            Console.Error.WriteLine(usage);
            return 2;
        }

        Log.Logger = new LoggerConfiguration()
            .MinimumLevel.Information()
            .Enrich.FromLogContext()
            .WriteTo.Console(outputTemplate: "{Timestamp:HH:mm:ss.fff} {Level:u3} {TaskName,-22} {Message:lj}{NewLine}{Exception}")
            .CreateLogger();
        using var loggerFactory = new SerilogLoggerFactory(Log.Logger, dispose: true);
        await using var engine = new FlowEngine(new FlowEngineOptions { LoggerFactory = loggerFactory });
        using var scope = engine.Use();

        var options = connectionString is null ? new RedshiftOptions { CredentialName = "REDSHIFT" } : new RedshiftOptions { ConnectionString = connectionString };
        if (Environment.GetEnvironmentVariable("REDSHIFT_SSL_MODE") is { Length: > 0 } sslMode)
        {
            options.SslMode = Enum.Parse<SslMode>(sslMode, ignoreCase: true);
        }

        await using var warehouse = new RedshiftDatabase(options);
        await using var api = await SignupApiStub.StartAsync();
        using var http = new HttpClient { BaseAddress = api.BaseAddress };
        try
        {
            await warehouse.ExecuteAsync($"CREATE SCHEMA IF NOT EXISTS {new SqlIdentifier(schema)}");
        }
        catch (RedshiftInputException ex)
        {
            Console.Error.WriteLine($"Configuration: {ex.Message}");
            return 2;
        }

        var workflow = new SignupsWorkflow(warehouse, http, Path.Combine(AppContext.BaseDirectory, "sql"));
        try
        {
            await workflow.Run(schema, since, engine.TimeProvider.GetUtcNow().UtcDateTime);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The run recorded the failure and the OnFailure hook reported it; the tree below shows where.
        }

        var run = (await engine.Store.QueryRunsAsync(new RunQuery { Name = "daily-signups", Limit = 1 })).Single();
        Console.WriteLine();
        Console.WriteLine($"Run {run.Id}:");
        Console.Write(await RunTree.RenderAsync(engine.Store, run.Id));
        return run.State.IsSuccess() ? 0 : 1;
    }

    private static bool TryParse(string[] args, out string? connectionString, out string schema, out DateOnly since, out string usage)
    {
        usage = "usage: CivisMigration [--connection-string <npgsql connection string>] [--schema <name>] [--since yyyy-MM-dd]";
        connectionString = null;
        schema = "civis_sample";
        since = new DateOnly(2024, 5, 1);
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--connection-string" when value is not null:
                    connectionString = value;
                    break;
                case "--schema" when value is not null:
                    schema = value;
                    break;
                case "--since" when DateOnly.TryParseExact(value, "yyyy-MM-dd", out var day):
                    since = day;
                    break;
                default:
                    usage = $"unknown or incomplete argument '{args[i]}'\n{usage}";
                    return false;
            }

            i++;
        }

        return true;
    }
}

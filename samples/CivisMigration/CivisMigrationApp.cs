using Flows;
using Flows.Redshift;
using Flows.Runs;
using Flows.Stores;
using Flows.Stores.PostgreSql;
using Flows.Stores.Sqlite;
using Microsoft.Extensions.Configuration;
using Npgsql;
using Serilog;
using Serilog.Extensions.Logging;

namespace CivisMigration;

/// <summary>
/// Runs the migrated workflow once. Connection: the Civis-style credential REDSHIFT (REDSHIFT_USERNAME,
/// REDSHIFT_PASSWORD, REDSHIFT_HOST, REDSHIFT_PORT, REDSHIFT_DATABASE, as a Civis container script sees it), or
/// <c>--connection-string</c>. Run history goes to the store configuration names, as in a deployment: PostgreSQL at
/// <c>Flows:Store:ConnectionString</c> (or <c>ConnectionStrings:Flows</c>, schema <c>Flows:Store:Schema</c>), else the
/// SQLite file (<c>Flows:Store:Path</c>, else <c>$FLOWS_HOME/flows.db</c>, else <c>~/.flows/flows.db</c>).
/// Exit codes: 0 the run completed, 1 it failed, 2 bad usage or configuration.
/// </summary>
public static class CivisMigrationApp
{
    /// <summary>Runs with configuration from <c>appsettings.json</c> in the current directory and environment variables (<c>Flows__Store__ConnectionString</c>).</summary>
    public static Task<int> RunAsync(string[] args) =>
        RunAsync(args, new ConfigurationBuilder()
            .SetBasePath(Directory.GetCurrentDirectory())
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .Build());

    /// <summary>Runs with the given configuration (tests pass their own).</summary>
    public static async Task<int> RunAsync(string[] args, IConfiguration configuration)
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
        var store = OpenStore(configuration);
        await using var ownedStore = (IAsyncDisposable)store;
        await using var engine = new FlowEngine(new FlowEngineOptions { LoggerFactory = loggerFactory, Store = store, Configuration = configuration });
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

        await engine.FlushAsync();
        var run = (await store.QueryRunsAsync(new RunQuery { Name = "daily-signups", Limit = 1 })).Single();
        Console.WriteLine();
        Console.WriteLine($"Run {run.Id}, recorded in {store}:");
        Console.Write(await RunTree.RenderAsync(store, run.Id));
        return run.State.IsSuccess() ? 0 : 1;
    }

    /// <summary>
    /// The run store a deployment configures: PostgreSQL when a connection string is set (shared history, several
    /// machines), else the embedded SQLite file, which needs no setup.
    /// </summary>
    public static IRunStore OpenStore(IConfiguration configuration)
    {
        if ((configuration["Flows:Store:ConnectionString"] ?? configuration.GetConnectionString("Flows")) is { Length: > 0 } connectionString)
        {
            var options = new PostgreSqlRunStoreOptions { ConnectionString = connectionString };
            if (configuration["Flows:Store:Schema"] is { Length: > 0 } schema)
            {
                options.Schema = schema;
            }

            return new PostgreSqlRunStore(options);
        }

        return new SqliteRunStore(SqliteRunStoreOptions.FromConfiguration(configuration));
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

using System.CommandLine;
using System.Diagnostics;
using Flows.CompilerServices;
using Flows.Secrets;
using Flows.Stores;
using Flows.Stores.Sql;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Flows.Cli.Commands;

/// <summary>
/// <c>flows doctor</c>: checks what running flows depends on, one line per check with ok, warn or fail: the store is
/// reachable; its schema is the one this code writes; the secret providers (names, never values) and every secret the
/// application's flows and store name resolve; this machine's clock agrees with the database's. Exit code 0 when no
/// check failed (warnings allowed), 1 when one did.
/// </summary>
internal static class DoctorVerb
{
    /// <summary>Clock skew up to this is fine.</summary>
    public static readonly TimeSpan SkewOk = TimeSpan.FromSeconds(1);

    /// <summary>Clock skew from this on fails: heartbeats (5 s, judged stale after 10 s by default) start to misjudge live runs as crashed.</summary>
    public static readonly TimeSpan SkewFail = TimeSpan.FromSeconds(5);

    public static Command Create(CommandLineHost cli)
    {
        var command = new Command("doctor", "Check the store, its schema, secrets and clock: one line per check (ok, warn, fail)");
        cli.SetAction(command, async context =>
        {
            var checks = new List<Check>();
            var store = context.Store;
            var reachable = await CheckStoreAsync(store, checks, context.Cancellation).ConfigureAwait(false);
            if (reachable && store is SqlRunStore sql)
            {
                await CheckClockAsync(sql, checks, context.Cancellation).ConfigureAwait(false);
            }

            await CheckSecretsAsync(context, checks).ConfigureAwait(false);
            var healthy = checks.TrueForAll(c => c.Status != Status.Fail);
            if (context.Settings.Json)
            {
                context.WriteJson(new { healthy, checks = checks.Select(c => new { name = c.Name, status = c.Status.ToString().ToLowerInvariant(), message = c.Message }) });
            }
            else
            {
                var table = new Table().NoBorder().HideHeaders().HideRowSeparators();
                table.AddColumn(new TableColumn("STATUS").NoWrap().PadLeft(0));
                table.AddColumn(new TableColumn("CHECK").NoWrap());
                table.AddColumn(new TableColumn("MESSAGE"));
                foreach (var check in checks)
                {
                    table.AddRow(
                        new Text(check.Status.ToString().ToLowerInvariant(), context.Style(check.Status switch { Status.Ok => Color.Green, Status.Warn => Color.Yellow, _ => Color.Red })),
                        new Text(check.Name),
                        new Text(context.Engine.Secrets.Redact(check.Message)));
                }

                context.Out.Write(table);
            }

            return healthy ? ExitCodes.Success : ExitCodes.RunNotCompleted;
        });
        return command;
    }

    /// <summary>Reachable, and (a SQL store) at the schema this code writes; read without migrating anything.</summary>
    private static async Task<bool> CheckStoreAsync(IRunStore store, List<Check> checks, CancellationToken cancellationToken)
    {
        var name = store is SqlRunStore sql ? sql.Description : store.GetType().Name;
        var watch = Stopwatch.StartNew();
        try
        {
            if (store is SqlRunStore sqlStore)
            {
                var schema = await sqlStore.GetSchemaStatusAsync(cancellationToken).ConfigureAwait(false);
                checks.Add(new("store", Status.Ok, $"{name} answers ({watch.ElapsedMilliseconds} ms)"));
                checks.Add(schema switch
                {
                    { DatabaseVersion: null } => new("schema", Status.Warn, $"no Flows schema yet: the application's first start creates version {schema.LatestVersion}"),
                    { IsCurrent: true } => new("schema", Status.Ok, $"version {schema.DatabaseVersion}, the one this code writes"),
                    { IsNewer: true } => new("schema", Status.Fail, $"version {schema.DatabaseVersion} was written by a newer Flows.Sdk; this code knows up to {schema.LatestVersion}: upgrade the application or tool"),
                    _ => new("schema", Status.Warn, $"version {schema.DatabaseVersion}, behind this code's {schema.LatestVersion}: the application's next start migrates it"),
                });
            }
            else
            {
                await store.QueryRunsAsync(new RunQuery { Limit = 1 }, cancellationToken).ConfigureAwait(false);
                checks.Add(new("store", Status.Ok, $"{name} answers ({watch.ElapsedMilliseconds} ms)"));
            }

            return true;
        }
        catch (RunStoreException ex)
        {
            checks.Add(new("store", Status.Fail, ex.Message));
            return false;
        }
    }

    /// <summary>This machine's clock against the database's (for SQLite, the same clock): heartbeats compare the two.</summary>
    private static async Task CheckClockAsync(SqlRunStore store, List<Check> checks, CancellationToken cancellationToken)
    {
        // Real time, not the command's clock: the skew is between this machine and the database, as the store sees them.
        var before = TimeProvider.System.GetUtcNow();
        DateTimeOffset database;
        try
        {
            database = await store.GetDatabaseTimeAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RunStoreException ex)
        {
            checks.Add(new("clock", Status.Fail, ex.Message));
            return;
        }

        var after = TimeProvider.System.GetUtcNow();
        var skew = database - (before + ((after - before) / 2));
        var size = skew.Duration();
        var text = $"the database's clock is {Output.Formats.Duration(size)} {(skew < TimeSpan.Zero ? "behind" : "ahead of")} this machine's (round trip {Output.Formats.Duration(after - before)})";
        checks.Add(size <= SkewOk
            ? new("clock", Status.Ok, text)
            : new("clock", size < SkewFail ? Status.Warn : Status.Fail, text + ": heartbeats may misjudge live runs; sync both clocks (NTP)"));
    }

    /// <summary>The providers asked, in order (names only), and every secret the flows here and the store's password name, resolved (never shown).</summary>
    private static async Task CheckSecretsAsync(CommandContext context, List<Check> checks)
    {
        var secrets = context.Engine.Secrets;
        var providers = secrets.Providers.Select(p => p.GetType().Name.Replace("SecretProvider", "", StringComparison.Ordinal)).ToList();
        checks.Add(providers.Count == 0
            ? new("secrets", Status.Warn, "no secret provider is configured: [Secret] parameters cannot be resolved")
            : new("secrets", Status.Ok, "providers, asked in order: " + string.Join(", ", providers)));

        var names = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var flow in RunCatalog.Flows)
        {
            foreach (var secret in flow.Parameters.Select(p => p.SecretName).OfType<string>())
            {
                (names.TryGetValue(secret, out var users) ? users : names[secret] = []).Add("flow " + flow.Name);
            }
        }

        if (context.Services.GetService<IConfiguration>()?["Flows:Store:PasswordSecret"] is { Length: > 0 } password)
        {
            (names.TryGetValue(password, out var users) ? users : names[password] = []).Add("the store's password");
        }

        foreach (var (name, users) in names)
        {
            try
            {
                await secrets.GetAsync(name, context.Cancellation).ConfigureAwait(false);
                checks.Add(new($"secret {name}", Status.Ok, $"resolves (used by {string.Join(", ", users)})"));
            }
            catch (SecretResolutionException ex)
            {
                checks.Add(new($"secret {name}", Status.Fail, $"used by {string.Join(", ", users)}: {ex.Message}"));
            }
        }
    }

    private enum Status
    {
        Ok,
        Warn,
        Fail,
    }

    private sealed record Check(string Name, Status Status, string Message);
}

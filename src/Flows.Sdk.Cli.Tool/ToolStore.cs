using Flows.Stores.Sqlite;
using Microsoft.Extensions.Configuration;

namespace Flows.Cli.Tool;

/// <summary>
/// Which store the standalone tool reads, from <c>--store</c> (a flows.db file, a folder holding one, or a PostgreSQL
/// connection string), else the environment as the application reads it (<c>Flows__Store__ConnectionString</c> /
/// <c>ConnectionStrings__Flows</c> for PostgreSQL; <c>Flows__Store__Path</c>, <c>FLOWS_HOME</c>, <c>~/.flows</c> for SQLite).
/// A SQLite file that does not exist is refused rather than created: the tool looks at history, it does not start one.
/// </summary>
internal static class ToolStore
{
    public const string Option = "--store";

    /// <summary>
    /// <paramref name="args"/> without <c>--store &lt;value&gt;</c> / <c>--store=&lt;value&gt;</c> (allowed anywhere), and the value;
    /// an error when the option has no value or comes twice.
    /// </summary>
    public static (string[] Arguments, string? Store, string? Error) Take(string[] args)
    {
        var rest = new List<string>(args.Length);
        string? store = null;
        for (var i = 0; i < args.Length; i++)
        {
            string? value;
            if (args[i] == Option)
            {
                if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    return (args, null, $"{Option} needs a value: a flows.db file, a folder holding one, or a PostgreSQL connection string (Host=...;Database=...).");
                }

                value = args[++i];
            }
            else if (args[i].StartsWith(Option + "=", StringComparison.Ordinal))
            {
                value = args[i][(Option.Length + 1)..];
            }
            else
            {
                rest.Add(args[i]);
                continue;
            }

            if (store is not null)
            {
                return (args, null, $"{Option} is given twice: give one store.");
            }

            store = value;
        }

        return ([.. rest], store, null);
    }

    /// <summary>
    /// Adds to <paramref name="configuration"/> what <paramref name="store"/> names; returns whether the store is
    /// PostgreSQL, or an error naming what was wrong and where it came from.
    /// </summary>
    public static (bool PostgreSql, string? Error) Configure(string? store, IConfigurationManager configuration)
    {
        if (store is not null)
        {
            if (string.IsNullOrWhiteSpace(store))
            {
                return (false, $"{Option} is empty: give a flows.db file, a folder holding one, or a PostgreSQL connection string.");
            }

            if (store.Contains('=', StringComparison.Ordinal))
            {
                configuration["Flows:Store:ConnectionString"] = store;
                return (true, null);
            }

            var path = Directory.Exists(store) ? Path.Combine(store, "flows.db") : store;
            configuration["Flows:Store:Path"] = path;
            return File.Exists(path)
                ? (false, null)
                : (false, $"{Option} '{store}': there is no store at {Path.GetFullPath(path)} (expected a flows.db file, a folder holding one, or a PostgreSQL connection string).");
        }

        if (!string.IsNullOrEmpty(configuration["Flows:Store:ConnectionString"] ?? configuration.GetConnectionString("Flows")))
        {
            return (true, null);
        }

        var chosen = SqliteRunStoreOptions.FromConfiguration(configuration).Path;
        return File.Exists(chosen)
            ? (false, null)
            : (false, $"There is no store at {chosen}: name one with {Option} <flows.db, folder or PostgreSQL connection string>, FLOWS_HOME, or Flows__Store__ConnectionString.");
    }
}

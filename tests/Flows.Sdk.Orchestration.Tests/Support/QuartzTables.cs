using Microsoft.Data.Sqlite;

namespace Flows.Orchestration.Tests.Support;

/// <summary>Reads Quartz's own tables in a SQLite job store, to see what reconcile wrote and what it did not.</summary>
internal static class QuartzTables
{
    /// <summary>Every column of every row of <paramref name="table"/> (without prefix, e.g. <c>triggers</c>) as one line per row, ordered.</summary>
    public static IReadOnlyList<string> Rows(string databasePath, string table)
    {
        using var connection = new SqliteConnection($"Data Source={databasePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM qrtz_{table}";
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(string.Join(" | ", Enumerable.Range(0, reader.FieldCount).Select(i => $"{reader.GetName(i)}={(reader.IsDBNull(i) ? "null" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))}")));
        }

        rows.Sort(StringComparer.Ordinal);
        return rows;
    }

    /// <summary>The file's journal mode (<c>wal</c>, <c>delete</c>, ...).</summary>
    public static string JournalMode(string databasePath)
    {
        using var connection = new SqliteConnection($"Data Source={databasePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        return (string)command.ExecuteScalar()!;
    }
}

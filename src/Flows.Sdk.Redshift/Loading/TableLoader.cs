using System.Diagnostics;
using System.Text;
using Flows.Redshift.Logging;
using Flows.Redshift.S3;
using Flows.Redshift.Sessions;
using Flows.Redshift.Sql;
using Npgsql;
using NpgsqlTypes;

namespace Flows.Redshift.Loading;

/// <summary>
/// Loads rows into a table as <see cref="RedshiftDatabase.LoadAsync{T}"/> describes: everything checked first,
/// rows staged in S3 (or inserted in batches without staging), then one transaction that creates, empties,
/// fills or merges the table.
/// </summary>
internal sealed class TableLoader<T>
{
    /// <summary>PostgreSQL's wire protocol counts parameters in 16 bits; stay well below.</summary>
    private const int MaxParameters = 30_000;

    private readonly RedshiftDatabase _database;
    private readonly TableName _table;
    private readonly LoadOptions _options;
    private readonly IReadOnlyList<LoadColumn> _columns;
    private readonly IReadOnlyList<LoadColumn> _keys;
    private readonly IReadOnlyList<LoadColumn> _sortKeys;
    private readonly LoadColumn? _distKey;

    public TableLoader(RedshiftDatabase database, TableName table, LoadOptions options)
    {
        _database = database;
        _table = table;
        _options = options;
        var rowType = typeof(T);
        _columns = LoadColumn.For(rowType);
        _keys = LoadColumn.Resolve(_columns, options.Keys, "Key", rowType);
        _sortKeys = LoadColumn.Resolve(_columns, options.SortKeys, "Sort key", rowType);
        _distKey = options.DistKey is null ? null : LoadColumn.Resolve(_columns, [options.DistKey], "Distribution key", rowType)[0];
        if (options.ExistingRows == ExistingRows.Upsert && _keys.Count == 0)
        {
            throw new RedshiftInputException($"Loading {table} with ExistingRows.Upsert needs LoadOptions.Keys, the columns that identify a row.");
        }

        if (options.InsertBatchSize <= 0)
        {
            throw new RedshiftInputException($"LoadOptions.InsertBatchSize is {options.InsertBatchSize}; it must be positive.");
        }
    }

    public async Task<int> LoadAsync(IEnumerable<T> source, CancellationToken cancellationToken)
    {
        var rows = source as IReadOnlyList<T> ?? source.ToList();
        for (var i = 0; i < rows.Count; i++)
        {
            if (rows[i] is null)
            {
                throw new RedshiftInputException($"Row {i} of the load into {_table} is null.");
            }
        }

        var started = Stopwatch.GetTimestamp();
        var stager = await _database.StagerAsync(cancellationToken).ConfigureAwait(false);
        StagedLoad? staged = null;
        if (stager is not null)
        {
            await S3Stager.EnsureBucketExistsAsync(stager.Client, stager.Options.Bucket, cancellationToken).ConfigureAwait(false);
            staged = await stager.StageAsync(rows, _columns, cancellationToken).ConfigureAwait(false);
            RedshiftLog.Staged(RedshiftLog.Current, staged.Files.Count, staged.Files.Sum(f => f.Size), stager.Options.Bucket, staged.Folder);
        }

        try
        {
            await _database.RunAsync(
                $"Load into {_table}",
                Idempotent ? RedshiftDatabase.Work.IdempotentTransaction : RedshiftDatabase.Work.Transaction,
                $"whether {_table} already has the rows of this load",
                (session, transaction, token) => LoadInTransactionAsync(session, transaction!, rows, staged, stager, token),
                cancellationToken).ConfigureAwait(false);
            RedshiftLog.Loaded(RedshiftLog.Current, rows.Count, _table.ToString(), _options.ExistingRows, staged is null ? "INSERT" : "S3 COPY", (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return rows.Count;
        }
        finally
        {
            if (staged is not null && !stager!.Options.KeepStagedFiles)
            {
                await stager.DeleteAsync(staged, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Whether committing the load twice leaves the same table as committing it once: an upsert (through its staging
    /// table), truncate or drop does; an append (or a create that fails on an existing table) does not.
    /// </summary>
    private bool Idempotent => _options.ExistingRows is ExistingRows.Upsert or ExistingRows.Truncate or ExistingRows.Drop;

    /// <summary>The CREATE TABLE for the row type; distribution and sort keys only on Redshift.</summary>
    internal string CreateTableSql(bool redshift)
    {
        var sql = new StringBuilder("CREATE TABLE ").Append(_table.ToSql()).Append(" (\n    ")
            .AppendJoin(",\n    ", _columns.Select(c => $"{SqlText.Identifier(c.Name)} {c.SqlType}"))
            .Append("\n)");
        if (redshift && _distKey is not null)
        {
            sql.Append("\nDISTKEY (").Append(SqlText.Identifier(_distKey.Name)).Append(')');
        }

        if (redshift && _sortKeys.Count > 0)
        {
            sql.Append("\nSORTKEY (").Append(SqlText.IdentifierList(_sortKeys.Select(c => c.Name))).Append(')');
        }

        return sql.ToString();
    }

    /// <summary>The COPY that fills <paramref name="target"/> from a staged manifest.</summary>
    internal string CopySql(TableName target, StagedLoad staged, S3StagingOptions staging) => S3Sql.Copy(target, new CopyFromS3Options
    {
        From = staged.Manifest.ToString(),
        IamRole = staging.IamRole,
        Columns = [.. _columns.Select(c => c.Name)],
        Format = S3DataFormat.Csv,
        Gzip = true,
        Manifest = true,
        NullAs = S3Stager.NullMarker,
        TimeFormat = "auto",
        DateFormat = "auto",
        Region = staging.Region,
        CompressionUpdate = false,
    });

    /// <summary>Rows whose keys match the staging table's are deleted, then the staging table's rows inserted.</summary>
    internal string MergeSql(TableName stage)
    {
        var target = _table.ToSql();
        var source = stage.ToSql();
        var match = string.Join(" AND ", _keys.Select(k => $"{target}.{SqlText.Identifier(k.Name)} = {source}.{SqlText.Identifier(k.Name)}"));
        var columns = SqlText.IdentifierList(_columns.Select(c => c.Name));
        return $"DELETE FROM {target} USING {source} WHERE {match};\nINSERT INTO {target} ({columns}) SELECT {columns} FROM {source}";
    }

    private async Task<int> LoadInTransactionAsync(RedshiftSession session, NpgsqlTransaction transaction, IReadOnlyList<T> rows, StagedLoad? staged, S3Stager? stager, CancellationToken cancellationToken)
    {
        var redshift = _database.Server!.IsRedshift;
        var exists = await ExistsAsync(session, transaction, redshift, cancellationToken).ConfigureAwait(false);
        if (exists && _options.ExistingRows == ExistingRows.Fail)
        {
            throw new RedshiftInputException($"Table {_table} already exists and LoadOptions.ExistingRows is Fail; choose Truncate, Append, Drop or Upsert.");
        }

        if (exists && _options.ExistingRows == ExistingRows.Drop)
        {
            await ExecuteAsync(session, transaction, $"DROP TABLE {_table.ToSql()}", cancellationToken).ConfigureAwait(false);
            exists = false;
        }

        if (!exists)
        {
            await ExecuteAsync(session, transaction, CreateTableSql(redshift), cancellationToken).ConfigureAwait(false);
        }
        else if (_options.ExistingRows == ExistingRows.Truncate)
        {
            // DELETE, not TRUNCATE: Redshift's TRUNCATE commits the transaction it runs in.
            await ExecuteAsync(session, transaction, $"DELETE FROM {_table.ToSql()}", cancellationToken).ConfigureAwait(false);
        }

        if (!exists || _options.ExistingRows != ExistingRows.Upsert)
        {
            await FillAsync(session, transaction, _table, rows, staged, stager, cancellationToken).ConfigureAwait(false);
            return rows.Count;
        }

        var stage = new TableName(null, $"flows_stage_{Guid.NewGuid():N}");
        await ExecuteAsync(session, transaction, $"CREATE TEMP TABLE {stage.ToSql()} (LIKE {_table.ToSql()})", cancellationToken).ConfigureAwait(false);
        await FillAsync(session, transaction, stage, rows, staged, stager, cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(session, transaction, MergeSql(stage), cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(session, transaction, $"DROP TABLE {stage.ToSql()}", cancellationToken).ConfigureAwait(false);
        return rows.Count;
    }

    private async Task FillAsync(RedshiftSession session, NpgsqlTransaction transaction, TableName target, IReadOnlyList<T> rows, StagedLoad? staged, S3Stager? stager, CancellationToken cancellationToken)
    {
        if (staged is not null)
        {
            var copy = CopySql(target, staged, stager!.Options);
            if (_database.StagedCopy is { } substitute)
            {
                await substitute(session.Connection, transaction, new StagedCopy(target, [.. _columns.Select(c => c.Name)], staged, copy), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await ExecuteAsync(session, transaction, copy, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        var perBatch = Math.Max(1, Math.Min(_options.InsertBatchSize, MaxParameters / _columns.Count));
        var prefix = $"INSERT INTO {target.ToSql()} ({SqlText.IdentifierList(_columns.Select(c => c.Name))}) VALUES ";
        for (var start = 0; start < rows.Count; start += perBatch)
        {
            var count = Math.Min(perBatch, rows.Count - start);
            await using var command = session.Command(string.Empty, transaction);
            var sql = new StringBuilder(prefix);
            for (var r = 0; r < count; r++)
            {
                sql.Append(r == 0 ? "(" : ", (");
                for (var c = 0; c < _columns.Count; c++)
                {
                    var column = _columns[c];
                    command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = column.DbType, Value = column.DbValue(rows[start + r]!) });
                    sql.Append(c == 0 ? "$" : ", $").Append(command.Parameters.Count);
                }

                sql.Append(')');
            }

            command.CommandText = sql.ToString();
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<bool> ExistsAsync(RedshiftSession session, NpgsqlTransaction transaction, bool redshift, CancellationToken cancellationToken)
    {
        await using var command = session.Command(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = COALESCE($1, current_schema()) AND table_name = $2",
            transaction);
        // Redshift folds even quoted names to lower case (unless enable_case_sensitive_identifier is on).
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)(redshift ? _table.Schema?.ToLowerInvariant() : _table.Schema) ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = redshift ? _table.Name.ToLowerInvariant() : _table.Name });
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    private static async Task ExecuteAsync(RedshiftSession session, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = session.Command(sql, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>A COPY from staged files about to run: what a test substitute needs to do the same on PostgreSQL.</summary>
internal sealed record StagedCopy(TableName Target, IReadOnlyList<string> Columns, StagedLoad Staged, string Sql);

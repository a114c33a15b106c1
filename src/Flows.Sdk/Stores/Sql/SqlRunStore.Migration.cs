using System.Data.Common;
using System.Globalization;

namespace Flows.Stores.Sql;

/// <summary>Migration: the schema version read first, and the migrations of <see cref="SqlSchema"/> above it applied under the database's migration lock.</summary>
public abstract partial class SqlRunStore
{
    /// <summary>
    /// Brings the schema to the version this code writes. Most opens find it current: they read its version and
    /// change nothing (no lock, no DDL), so a role that may only use the tables opens a store an administrator migrated.
    /// </summary>
    private async Task MigrateAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        if (await SchemaVersionAsync(connection, null, cancellationToken).ConfigureAwait(false) == SqlSchema.Latest)
        {
            return;
        }

        try
        {
            await using var transaction = await BeginMigrationAsync(connection, cancellationToken).ConfigureAwait(false);

            // Read again under the migration lock: another process may have migrated while this one waited.
            var version = await SchemaVersionAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
            if (version is null)
            {
                await CheckEmptyAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
                await ExecuteAsync(connection, transaction, $"CREATE TABLE {Types.Table("flows_schema")} (version INTEGER NOT NULL, applied_at TEXT NOT NULL)", [], cancellationToken).ConfigureAwait(false);
            }

            for (var next = (version ?? 0) + 1; next <= SqlSchema.Latest; next++)
            {
                await ExecuteAsync(connection, transaction, SqlSchema.Migration(next, Types), [], cancellationToken).ConfigureAwait(false);
                await ExecuteAsync(
                    connection,
                    transaction,
                    $"INSERT INTO {Types.Table("flows_schema")} (version, applied_at) VALUES (@version, @at)",
                    [("version", next), ("at", TimeProvider.GetUtcNow().ToString("O", CultureInfo.InvariantCulture))],
                    cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbException ex)
        {
            throw new RunStoreException($"{Description} cannot be opened: {Explain(ex, migrating: true)}", ex);
        }
    }

    /// <summary>The schema version the database holds, null when it has no Flows schema; fails when it is newer than this code.</summary>
    private async Task<int?> SchemaVersionAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        if (Convert.ToInt64(await ScalarAsync(connection, transaction, SchemaTableExistsSql, [], cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) == 0)
        {
            return null;
        }

        var latest = await ScalarAsync(connection, transaction, $"SELECT max(version) FROM {Types.Table("flows_schema")}", [], cancellationToken).ConfigureAwait(false);
        var version = latest is null or DBNull ? 0 : Convert.ToInt32(latest, CultureInfo.InvariantCulture);
        if (version > SqlSchema.Latest)
        {
            throw new RunStoreException(
                $"{Description} has schema version {version}, newer than this Flows.Sdk understands (up to {SqlSchema.Latest}). "
                + "It was written by a newer Flows.Sdk: upgrade this application's Flows.Sdk, or point it at another store. Nothing was changed.");
        }

        return version;
    }
}

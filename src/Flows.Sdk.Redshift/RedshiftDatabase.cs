using System.Diagnostics;
using Dapper;
using Flows.Redshift.Connections;
using Flows.Redshift.Loading;
using Flows.Redshift.Logging;
using Flows.Redshift.Retries;
using Flows.Redshift.S3;
using Flows.Redshift.Sessions;
using Flows.Redshift.Sql;
using Npgsql;
using Polly;

namespace Flows.Redshift;

/// <summary>
/// Amazon Redshift (or PostgreSQL) for flows and tasks: queries, migrated SQL files, COPY / UNLOAD and table
/// loads. Every use of a connection is tagged with the current run (<c>query_group</c> on Redshift) and given the
/// configured <c>statement_timeout</c>, both reset before the connection returns to the pool. Work that fails with
/// a transient error (<see cref="RedshiftTransientErrors"/>) runs again as a whole when that cannot apply it twice:
/// nothing had been sent, the server answered with an error (which rolled it back), the connection was lost inside
/// a transaction before its COMMIT, or the work reads or is idempotent. When it keeps failing, the error surfaces
/// as <see cref="RedshiftTransientException"/> for a task's <c>RetryOn</c>; when the connection was lost where
/// the work may have committed, as <see cref="RedshiftOutcomeUnknownException"/>, and it is not run again.
/// Inside a run, calls without a token use the run's token, and every line is logged with the run.
/// </summary>
/// <example>
/// <code>
/// await using var redshift = new RedshiftDatabase(new RedshiftOptions { CredentialName = "REDSHIFT" });
///
/// [Task(Retries = 2, RetryOn = [typeof(RedshiftTransientException)])]
/// public Task Refresh(DateOnly since) =>
///     redshift.RunSqlFileAsync("sql/refresh.sql", new Dictionary&lt;string, object?&gt; { ["since"] = since });
/// </code>
/// </example>
public sealed class RedshiftDatabase : IAsyncDisposable, IDisposable
{
    private readonly RedshiftOptions _options;
    private readonly ResiliencePipeline _retry;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private RedshiftDataSourceFactory.Built? _built;
    private S3Stager? _stager;

    /// <summary>Creates the database; nothing connects until the first operation.</summary>
    public RedshiftDatabase(RedshiftOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _retry = TransactionRetry.Create(options);
    }

    /// <summary>What an operation needs around its work, and what makes running it again after a failure safe (see <see cref="RetrySafety"/>).</summary>
    internal enum Work
    {
        /// <summary>One statement that only reads, in autocommit: run again after any transient error, a lost connection included.</summary>
        Read,

        /// <summary>
        /// One statement in autocommit, on a connection checked first: run again after a transient error the server
        /// answered with, or one before the statement was sent; a connection lost while it ran leaves its outcome unknown.
        /// </summary>
        Statement,

        /// <summary>
        /// BEGIN ... COMMIT around the work: run again as a whole after a transient error before COMMIT (the server
        /// rolls back what a lost connection left open); a connection lost during COMMIT leaves the outcome unknown.
        /// </summary>
        Transaction,

        /// <summary>
        /// A transaction that leaves the same result however many times it commits (an upsert through a staging table,
        /// a delete-and-reload, a drop-and-reload): run again even when its COMMIT's outcome is unknown.
        /// </summary>
        IdempotentTransaction,

        /// <summary>Statements as written, each committing on its own, never run again (a script with its own transactions, or none at all).</summary>
        AsWritten,
    }

    /// <summary>What the server turned out to be; known after the first connection.</summary>
    internal ServerInfo? Server { get; private set; }

    /// <summary>Tests on PostgreSQL run staged COPYs through this instead of sending Redshift's COPY.</summary>
    internal Func<NpgsqlConnection, NpgsqlTransaction, StagedCopy, CancellationToken, Task>? StagedCopy { get; set; }

    /// <summary>The configured data source (built, and credentials resolved, on first use) for work this class does not cover.</summary>
    public async Task<NpgsqlDataSource> GetDataSourceAsync(CancellationToken cancellationToken = default) =>
        (await ReadyAsync(Effective(cancellationToken)).ConfigureAwait(false)).DataSource;

    /// <summary>
    /// Runs one statement with Dapper-style parameters (<c>@name</c> from an object's properties); returns rows
    /// affected. It commits as it ends, so after a connection lost while it ran it is not run again (its outcome is
    /// unknown: <see cref="RedshiftOutcomeUnknownException"/>); after a transient error before it was sent, or one
    /// the server answered with (which rolled it back), it is.
    /// </summary>
    public Task<int> ExecuteAsync(string sql, object? parameters = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sql);
        return RunAsync("Statement", Work.Statement, "what the statement changes", (session, transaction, token) =>
            session.Connection.ExecuteAsync(new CommandDefinition(sql, parameters, transaction, cancellationToken: token)), cancellationToken);
    }

    /// <summary>
    /// Runs a query and maps each row to <typeparamref name="T"/> (a class, a record or a scalar) with Dapper. A
    /// query reads, so it runs again after any transient error, a lost connection included: run statements that
    /// write with <see cref="ExecuteAsync"/> or <see cref="InTransactionAsync{T}"/>.
    /// </summary>
    public Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? parameters = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sql);
        return RunAsync<IReadOnlyList<T>>("Query", Work.Read, "what the query changes", async (session, transaction, token) =>
            [.. await session.Connection.QueryAsync<T>(new CommandDefinition(sql, parameters, transaction, cancellationToken: token)).ConfigureAwait(false)],
            cancellationToken);
    }

    /// <summary>
    /// Runs a SQL file as a Civis SQL script would: every statement in order, <c>{{ name }}</c> placeholders replaced
    /// from <paramref name="parameters"/> (see <see cref="SqlIdentifier"/> for names), in one transaction unless
    /// <paramref name="options"/> or the file say otherwise. A missing file or an unknown placeholder fails before
    /// any statement runs. In a transaction the file runs again as a whole after a transient error before its
    /// COMMIT (the server rolled the attempt back), but not after a connection lost during COMMIT, nor after a
    /// Redshift <c>TRUNCATE</c> in it (which commits) had run: <see cref="RedshiftOutcomeUnknownException"/>. A
    /// file that runs as written is never run again.
    /// </summary>
    public async Task<SqlFileResult> RunSqlFileAsync(string path, IReadOnlyDictionary<string, object?>? parameters = null, SqlFileOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        cancellationToken = Effective(cancellationToken);
        options ??= new SqlFileOptions();
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new RedshiftInputException($"SQL file '{fullPath}' does not exist. Nothing was run.");
        }

        var text = await File.ReadAllTextAsync(fullPath, cancellationToken).ConfigureAwait(false);
        var server = (await ReadyAsync(cancellationToken).ConfigureAwait(false)).Server;
        var source = Path.GetFileName(fullPath);
        var statements = SqlScript.Parse(text, source, parameters ?? new Dictionary<string, object?>(), server.BackslashEscapes);
        var work = Work.Transaction;
        if (SqlScript.ControlsTransactions(statements))
        {
            RedshiftLog.ScriptControlsTransactions(RedshiftLog.Current, source);
            work = Work.AsWritten;
        }
        else if (!options.InTransaction)
        {
            work = Work.AsWritten;
        }

        return await RunAsync(source, work, $"the tables {source} changes", async (session, transaction, token) =>
        {
            long rows = 0;
            for (var i = 0; i < statements.Count; i++)
            {
                var statement = statements[i];
                if (server.IsRedshift && transaction is not null && SqlScript.CommitsOnItsOwn(statement))
                {
                    session.MayHaveCommitted = true;
                }

                var started = Stopwatch.GetTimestamp();
                await using var command = session.Command(statement.Text, transaction);
                var affected = await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
                rows += Math.Max(affected, 0);
                RedshiftLog.StatementRan(RedshiftLog.Current, source, i + 1, statements.Count, statement.Line, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, affected < 0 ? "done" : $"{affected} rows", statement.Summary);
            }

            return new SqlFileResult(statements.Count, rows);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Loads files from S3 into a table with Redshift's <c>COPY</c>, in a transaction of its own. Redshift only. It
    /// runs again after a transient error before its COMMIT, not after a connection lost during it (the rows may
    /// be in: <see cref="RedshiftOutcomeUnknownException"/>).
    /// </summary>
    public async Task CopyFromS3Async(TableName table, CopyFromS3Options options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var sql = S3Sql.Copy(table, options);
        var bucket = S3Location.Parse(options.From, "CopyFromS3Options.From").Bucket;
        await RunS3CommandAsync("COPY", table.ToString(), bucket, sql, Work.Transaction, $"whether {table} already has the rows of this COPY", Effective(cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes a query's result to S3 with Redshift's <c>UNLOAD</c>. Redshift only. With
    /// <see cref="UnloadToS3Options.AllowOverwrite"/> it runs again after any transient error (it writes the same
    /// files again); without it, not after a connection lost while it ran.
    /// </summary>
    public async Task UnloadToS3Async(string query, UnloadToS3Options options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var sql = S3Sql.Unload(query, options);
        var bucket = S3Location.Parse(options.To, "UnloadToS3Options.To").Bucket;
        var work = options.AllowOverwrite ? Work.Read : Work.Statement;
        await RunS3CommandAsync("UNLOAD", options.To, bucket, sql, work, $"the files under {options.To}", Effective(cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// Loads rows into a table, as Civis's <c>dataframe_to_civis</c>: columns from <typeparamref name="T"/>'s public
    /// properties, the table created when missing (with <see cref="LoadOptions.DistKey"/> and
    /// <see cref="LoadOptions.SortKeys"/> on Redshift), existing rows treated as <see cref="LoadOptions.ExistingRows"/>
    /// says. With <see cref="RedshiftOptions.Staging"/> the rows go to S3 as gzip CSV and in through COPY;
    /// without it they are inserted in batches (fine for thousands of rows, and the path PostgreSQL can run).
    /// Everything after staging happens in one transaction. Returns the number of rows loaded.
    /// </summary>
    public Task<int> LoadAsync<T>(IEnumerable<T> rows, TableName table, LoadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return new TableLoader<T>(this, table, options ?? new LoadOptions()).LoadAsync(rows, Effective(cancellationToken));
    }

    /// <summary>
    /// Runs work in one transaction, run again as a whole (from a new connection) after a transient error before its
    /// COMMIT: the server rolled the failed attempt back, so keep side effects outside the database out of
    /// <paramref name="work"/>. After a connection lost during COMMIT it is not run again:
    /// <see cref="RedshiftOutcomeUnknownException"/>.
    /// </summary>
    public Task<T> InTransactionAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, CancellationToken, Task<T>> work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        return RunAsync("Transaction", Work.Transaction, "what the transaction writes", (session, transaction, token) => work(session.Connection, transaction!, token), cancellationToken);
    }

    /// <summary>Closes the data source and releases what authentication and staging hold.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_built is { } built)
        {
            await built.DataSource.DisposeAsync().ConfigureAwait(false);
        }

        ReleaseTheRest();
    }

    /// <summary>Same as <see cref="DisposeAsync"/>, for containers that dispose synchronously.</summary>
    public void Dispose()
    {
        _built?.DataSource.Dispose();
        ReleaseTheRest();
    }

    private void ReleaseTheRest()
    {
        _built?.Iam?.Dispose();
        _built?.IamClient?.Dispose();
        _stager?.Dispose();
        _gate.Dispose();
    }

    /// <summary>The stager when <see cref="RedshiftOptions.Staging"/> is set.</summary>
    internal async Task<S3Stager?> StagerAsync(CancellationToken cancellationToken)
    {
        await ReadyAsync(cancellationToken).ConfigureAwait(false);
        return _stager;
    }

    /// <summary>
    /// Opens a session for the current run and runs the work as <paramref name="work"/> says, again after a transient
    /// error when <see cref="RetrySafety"/> says that cannot apply it twice. <paramref name="check"/> says what to
    /// look at when the outcome is unknown ("whether items has the rows of this load").
    /// </summary>
    internal async Task<T> RunAsync<T>(string operation, Work work, string check, Func<RedshiftSession, NpgsqlTransaction?, CancellationToken, Task<T>> body, CancellationToken cancellationToken)
    {
        cancellationToken = Effective(cancellationToken);
        var ready = await ReadyAsync(cancellationToken).ConfigureAwait(false);
        var settings = SessionSettings.ForCurrentRun(_options, ready.Server);
        var inTransaction = work is Work.Transaction or Work.IdempotentTransaction;
        var attempts = 0;
        async ValueTask<T> Attempt(CancellationToken token)
        {
            attempts++;
            RedshiftSession? session = null;
            var committing = false;
            try
            {
                session = await RedshiftSession.OpenAsync(ready.DataSource, settings, verify: work is Work.Statement or Work.AsWritten, token).ConfigureAwait(false);
                await using (session.ConfigureAwait(false))
                {
                    if (!inTransaction)
                    {
                        return await body(session, null, token).ConfigureAwait(false);
                    }

                    var transaction = await session.Connection.BeginTransactionAsync(token).ConfigureAwait(false);
                    await using (transaction.ConfigureAwait(false))
                    {
                        var result = await body(session, transaction, token).ConfigureAwait(false);
                        committing = true;

                        // Once COMMIT is sent it is waited for: cancelling it would only make its outcome unknown.
                        await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
                        return result;
                    }
                }
            }
            catch (Exception ex) when (RetrySafety.OutcomeUnknown(operation, check, work, new AttemptProgress(session is not null, committing, session?.MayHaveCommitted == true), ex) is { } unknown)
            {
                throw unknown;
            }
        }

        try
        {
            return work == Work.AsWritten
                ? await Attempt(cancellationToken).ConfigureAwait(false)
                : await _retry.ExecuteAsync(Attempt, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not RedshiftTransientException && RedshiftTransientErrors.IsTransient(ex))
        {
            throw new RedshiftTransientException(
                $"{operation} failed with a transient database error after {attempts} attempt{(attempts == 1 ? string.Empty : "s")}: {ex.Message}", ex);
        }
    }

    private async Task RunS3CommandAsync(string command, string target, string bucket, string sql, Work work, string check, CancellationToken cancellationToken)
    {
        if (await StagerAsync(cancellationToken).ConfigureAwait(false) is { } stager)
        {
            await S3Stager.EnsureBucketExistsAsync(stager.Client, bucket, cancellationToken).ConfigureAwait(false);
        }

        var started = Stopwatch.GetTimestamp();
        await RunAsync($"{command} {target}", work, check, async (session, transaction, token) =>
        {
            await using var statement = session.Command(sql, transaction);
            return await statement.ExecuteNonQueryAsync(token).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        RedshiftLog.S3CommandRan(RedshiftLog.Current, command, target, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private async ValueTask<(NpgsqlDataSource DataSource, ServerInfo Server)> ReadyAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _built) is { } built && Server is { } server)
        {
            return (built.DataSource, server);
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_built is null)
            {
                _stager = _options.Staging is null ? null : new S3Stager(_options.Staging);
                var created = await RedshiftDataSourceFactory.CreateAsync(_options, cancellationToken).ConfigureAwait(false);
                Server = await ServerInfo.ReadAsync(created.DataSource, cancellationToken).ConfigureAwait(false);
                Volatile.Write(ref _built, created);
            }

            return (_built.DataSource, Server!);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Inside a run, a call without a token gets the run's token (timeout, cancellation, shutdown).</summary>
    private static CancellationToken Effective(CancellationToken cancellationToken) =>
        cancellationToken.CanBeCanceled ? cancellationToken : Flow.CancellationToken;
}

using Flows.Redshift.Retries;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flows.Redshift.Logging;

/// <summary>The package's log lines. They go to the current run's logger, so they are stored with the run.</summary>
internal static partial class RedshiftLog
{
    /// <summary>The logger of the current flow or task run; nothing outside a run.</summary>
    public static ILogger Current => Flow.RunId is null ? NullLogger.Instance : Flow.Logger;

    /// <summary>
    /// Text with the current run's secrets masked, for text this package cuts short before logging it: the logger
    /// masks whole secrets, but not the first characters of one that a cut left behind. Outside a run nothing is logged.
    /// </summary>
    public static string Redact(string text) => Flow.Redact(text);

    [LoggerMessage(EventId = RedshiftEventIds.TransactionRetry, EventName = nameof(RedshiftEventIds.TransactionRetry), Level = LogLevel.Warning, Message = "Transient database error, running the transaction again (attempt {Attempt}) in {Delay}: {Error}")]
    public static partial void TransactionRetry(ILogger logger, int attempt, TimeSpan delay, string? error);

    [LoggerMessage(EventId = RedshiftEventIds.StatementRan, EventName = nameof(RedshiftEventIds.StatementRan), Level = LogLevel.Information, Message = "{Source}: statement {Index}/{Count} (line {Line}) took {ElapsedMs} ms, {Outcome}: {Summary}")]
    public static partial void StatementRan(ILogger logger, string source, int index, int count, int line, long elapsedMs, string outcome, string summary);

    [LoggerMessage(EventId = RedshiftEventIds.ScriptControlsTransactions, EventName = nameof(RedshiftEventIds.ScriptControlsTransactions), Level = LogLevel.Information, Message = "{Source} manages its own transactions (BEGIN/COMMIT), so it runs as written, statement by statement")]
    public static partial void ScriptControlsTransactions(ILogger logger, string source);

    [LoggerMessage(EventId = RedshiftEventIds.Loaded, EventName = nameof(RedshiftEventIds.Loaded), Level = LogLevel.Information, Message = "Loaded {Rows} rows into {Table} ({ExistingRows}) through {Path} in {ElapsedMs} ms")]
    public static partial void Loaded(ILogger logger, int rows, string table, ExistingRows existingRows, string path, long elapsedMs);

    [LoggerMessage(EventId = RedshiftEventIds.Staged, EventName = nameof(RedshiftEventIds.Staged), Level = LogLevel.Information, Message = "Staged {Files} gzip CSV file(s), {Bytes} bytes, under s3://{Bucket}/{Prefix}")]
    public static partial void Staged(ILogger logger, int files, long bytes, string bucket, string prefix);

    [LoggerMessage(EventId = RedshiftEventIds.S3CommandRan, EventName = nameof(RedshiftEventIds.S3CommandRan), Level = LogLevel.Information, Message = "{Command} {Target} took {ElapsedMs} ms")]
    public static partial void S3CommandRan(ILogger logger, string command, string target, long elapsedMs);

    [LoggerMessage(EventId = RedshiftEventIds.SessionResetFailed, EventName = nameof(RedshiftEventIds.SessionResetFailed), Level = LogLevel.Warning, Message = "Could not reset session settings ({Settings}); the connection is dropped from the pool instead")]
    public static partial void ResetFailed(ILogger logger, Exception error, string settings);

    [LoggerMessage(EventId = RedshiftEventIds.StagedCleanupFailed, EventName = nameof(RedshiftEventIds.StagedCleanupFailed), Level = LogLevel.Warning, Message = "Could not delete staged files under s3://{Bucket}/{Prefix}")]
    public static partial void StagedCleanupFailed(ILogger logger, Exception error, string bucket, string prefix);

    [LoggerMessage(EventId = RedshiftEventIds.IamCredentialsFetched, EventName = nameof(RedshiftEventIds.IamCredentialsFetched), Level = LogLevel.Information, Message = "Fetched IAM database credentials for {User}, valid until {Expiration:u}")]
    public static partial void IamCredentialsFetched(ILogger logger, string user, DateTimeOffset expiration);
}

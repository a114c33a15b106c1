using Flows.Redshift.Retries;

namespace Flows.Redshift.Logging;

/// <summary>
/// Every event id this package logs with (range 3000–3999), one constant per log line; the constant's name is the
/// event's name. docs/log-events.md documents each one, beside the core's list (<c>Flows.Logging.LogEventIds</c>).
/// An id is never changed or reused once released.
/// </summary>
internal static class RedshiftEventIds
{
    public const int TransactionRetry = 3001;
    public const int StatementRan = 3002;
    public const int ScriptControlsTransactions = 3003;
    public const int Loaded = 3004;
    public const int Staged = 3005;
    public const int S3CommandRan = 3006;
    public const int SessionResetFailed = 3007;
    public const int StagedCleanupFailed = 3008;
    public const int IamCredentialsFetched = 3009;
}

using Flows.Redshift.Sessions;

namespace Flows.Redshift.Retries;

/// <summary>
/// Whether a failed attempt can run again without applying its work twice. Safe: nothing of the work was sent (the
/// connection failed while opening or applying session settings); the server answered with an error, which rolled
/// the statement and its transaction back (a serialization conflict, a deadlock); the connection was lost inside a
/// transaction before its COMMIT was sent, so the server rolled it back; or the work only reads, or leaves the same
/// result however many times it commits. Unsafe, because it may have committed: a connection lost during COMMIT,
/// or while a statement that commits on its own ran, or after a statement inside the transaction committed part of
/// it (Redshift's TRUNCATE).
/// </summary>
internal static class RetrySafety
{
    /// <summary>
    /// The error to surface instead of running the attempt again, or null when running it again is safe (or the error
    /// is not one anything would run it again for).
    /// </summary>
    public static RedshiftOutcomeUnknownException? OutcomeUnknown(string operation, string check, RedshiftDatabase.Work work, AttemptProgress progress, Exception error)
    {
        if (!progress.Sent)
        {
            return null;
        }

        var lost = RedshiftTransientErrors.IsConnectionLost(error);
        var reason = work switch
        {
            _ when progress.MayHaveCommitted && (lost || RedshiftTransientErrors.IsTransient(error)) =>
                "it failed after a statement that commits on its own (TRUNCATE on Redshift) had run, so part of it is committed and how much is unknown",
            _ when !lost => null,
            RedshiftDatabase.Work.Statement => "the connection was lost while the statement ran, so whether it committed is unknown",
            RedshiftDatabase.Work.AsWritten => "the connection was lost while its statements ran, each committing as it ends, so how much of it committed is unknown",
            RedshiftDatabase.Work.Transaction when progress.Committing => "the connection was lost while its COMMIT was in flight, so whether it committed is unknown",
            _ => null,
        };
        return reason is null
            ? null
            : new RedshiftOutcomeUnknownException(
                $"{operation}: {reason} ({error.Message}). It was not run again: running it again could apply it twice, and an append or a COPY "
                + $"would duplicate its rows. Check {check} before running it again.",
                error);
    }
}

/// <summary>How far an attempt got when it failed.</summary>
/// <param name="Sent">The connection was open and checked, so the work may have reached the server.</param>
/// <param name="Committing">COMMIT had been sent.</param>
/// <param name="MayHaveCommitted">A statement that commits on its own had run (<see cref="RedshiftSession.MayHaveCommitted"/>).</param>
internal readonly record struct AttemptProgress(bool Sent, bool Committing, bool MayHaveCommitted);

namespace Flows.Redshift;

/// <summary>
/// The connection was lost after work was sent that may have committed (during its COMMIT, or while a statement
/// that commits on its own ran), so whether it took effect is unknown. It was not run again, because running it
/// again could apply it twice: an append or a COPY would duplicate its rows. The message says what to check before
/// running it again. This is not a <see cref="RedshiftTransientException"/>, so a task's
/// <c>RetryOn = [typeof(RedshiftTransientException)]</c> does not retry it; list it in <c>NoRetryOn</c> of a task
/// that retries everything. The database's own error is the <see cref="Exception.InnerException"/>.
/// </summary>
public sealed class RedshiftOutcomeUnknownException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RedshiftOutcomeUnknownException()
    {
    }

    /// <summary>Creates the exception with a message that says what was lost and what to check.</summary>
    public RedshiftOutcomeUnknownException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the database's error.</summary>
    public RedshiftOutcomeUnknownException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

namespace Flows.Redshift;

/// <summary>
/// A database operation failed with a transient error (a serialization conflict such as error 1023, a deadlock, a lost connection) on every attempt
/// the database was configured to make. Running the task again can succeed: name this type in a task's
/// <c>RetryOn</c> (<c>[Task(Retries = 3, RetryOn = [typeof(RedshiftTransientException)])]</c>). The database's
/// own error is the <see cref="Exception.InnerException"/>.
/// </summary>
public sealed class RedshiftTransientException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RedshiftTransientException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public RedshiftTransientException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the database's error.</summary>
    public RedshiftTransientException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

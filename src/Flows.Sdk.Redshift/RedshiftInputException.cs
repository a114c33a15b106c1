namespace Flows.Redshift;

/// <summary>
/// Bad input found before anything ran against the database: a missing SQL file, an unknown
/// <c>{{ name }}</c>, an incomplete credential, a bucket that does not exist. Retrying cannot help, so list it
/// in <c>NoRetryOn</c>.
/// </summary>
public sealed class RedshiftInputException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RedshiftInputException()
    {
    }

    /// <summary>Creates the exception with a message that names what was wrong and where.</summary>
    public RedshiftInputException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public RedshiftInputException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

using System.Net.Sockets;
using Npgsql;

namespace Flows.Redshift.Retries;

/// <summary>
/// Which failures are transient, so that running the work again can succeed: Redshift's serializable isolation
/// violation (SQLSTATE XX000 with error 1023, or "conflict with concurrent transaction"), what Npgsql marks
/// transient (deadlocks, serialization failures, a server starting up, lost or timed-out connections) and a
/// connection the server ended (a FATAL error such as 57P01, the server shutting down or the session terminated).
/// Not SQLSTATE 57014 (query cancelled): that is also how <c>statement_timeout</c> ends a query, and a query that
/// hit its timeout would only hit it again. Whether running it again is also <em>safe</em> is decided by what the
/// work was and how far it got: see <see cref="RedshiftOutcomeUnknownException"/>.
/// </summary>
internal static class RedshiftTransientErrors
{
    /// <summary>The SQLSTATE of Redshift's internal errors, which include serializable isolation violations.</summary>
    public const string InternalError = "XX000";

    /// <summary>The SQLSTATE of a cancelled query: a statement timeout or a user's cancel.</summary>
    public const string QueryCanceled = "57014";

    /// <summary>True when the exception, or one it wraps, is a transient database error.</summary>
    public static bool IsTransient(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case RedshiftTransientException:
                    return true;
                case RedshiftOutcomeUnknownException:
                    return false;
                case PostgresException pg when pg.SqlState == InternalError:
                    return IsSerializationConflict(pg.MessageText) || IsSerializationConflict(pg.Detail);
                case PostgresException pg when pg.SqlState == QueryCanceled:
                    return false;
                case PostgresException pg when EndsTheSession(pg):
                    return true;
                case NpgsqlException npgsql when npgsql.IsTransient:
                    return true;
                case NpgsqlException:
                    return false;
                default:
                    break;
            }
        }

        return false;
    }

    /// <summary>
    /// True when the connection did not survive the failure: the network failed, or the server ended the session
    /// (FATAL). Then the client cannot know how far the server got with what it was sent. False when the server
    /// answered with an ordinary error, which rolled the statement (and its transaction) back.
    /// </summary>
    internal static bool IsConnectionLost(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException pg:
                    return EndsTheSession(pg);
                case NpgsqlException or IOException or SocketException:
                    return true;
                default:
                    break;
            }
        }

        return false;
    }

    private static bool EndsTheSession(PostgresException error) => error.InvariantSeverity is "FATAL" or "PANIC";

    private static bool IsSerializationConflict(string? text) =>
        text is not null
        && (text.Contains("1023", StringComparison.Ordinal)
            || text.Contains("conflict with concurrent transaction", StringComparison.OrdinalIgnoreCase));
}

using Npgsql;

namespace Flows.Redshift;

/// <summary>
/// Which failures are worth running a whole transaction again for: Redshift's serializable isolation violation
/// (SQLSTATE XX000 with error 1023, or "conflict with concurrent transaction") and what Npgsql marks transient
/// (lost connections, a server starting or shutting down, deadlocks). Not SQLSTATE 57014 (query cancelled):
/// that is also how <c>statement_timeout</c> ends a query, and a query that hit its timeout would only hit it again.
/// </summary>
public static class RedshiftTransientErrors
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
                case PostgresException pg when pg.SqlState == InternalError:
                    return IsSerializationConflict(pg.MessageText) || IsSerializationConflict(pg.Detail);
                case PostgresException pg when pg.SqlState == QueryCanceled:
                    return false;
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

    private static bool IsSerializationConflict(string? text) =>
        text is not null
        && (text.Contains("1023", StringComparison.Ordinal)
            || text.Contains("conflict with concurrent transaction", StringComparison.OrdinalIgnoreCase));
}

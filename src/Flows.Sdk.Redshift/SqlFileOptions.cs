namespace Flows.Redshift;

/// <summary>How <see cref="RedshiftDatabase.RunSqlFileAsync"/> runs a file.</summary>
public sealed class SqlFileOptions
{
    /// <summary>
    /// Run every statement in one transaction, run again as a whole on a transient error (default true). A file
    /// with its own <c>BEGIN</c>/<c>COMMIT</c> always runs as written; set false for statements that cannot run
    /// in a transaction, such as <c>VACUUM</c>.
    /// </summary>
    public bool InTransaction { get; init; } = true;
}

namespace Flows.Redshift;

/// <summary>What running a SQL file did.</summary>
/// <param name="Statements">How many statements ran.</param>
/// <param name="RowsAffected">Rows inserted, updated or deleted, summed over the statements that report it.</param>
public sealed record SqlFileResult(int Statements, long RowsAffected);

using Flows.Redshift.Retries;
using Npgsql;

namespace Flows.Redshift.Tests.Retries;

public sealed class TransientErrorTests
{
    private static PostgresException Error(string sqlState, string message, string? detail = null) =>
        new(message, "ERROR", "ERROR", sqlState, detail: detail);

    [Test]
    public void SerializableIsolationViolation_IsTransient() =>
        Assert.That(RedshiftTransientErrors.IsTransient(Error("XX000", "1023", "Serializable isolation violation on table - 123456")), Is.True);

    [Test]
    public void ConflictWithConcurrentTransaction_IsTransient() =>
        Assert.That(RedshiftTransientErrors.IsTransient(Error("XX000", "could not complete because of conflict with concurrent transaction")), Is.True);

    [Test]
    public void OtherInternalErrors_AreNotTransient() =>
        Assert.That(RedshiftTransientErrors.IsTransient(Error("XX000", "Invalid digit, Value 'x', Pos 0")), Is.False);

    [Test]
    public void StatementTimeout_IsNotTransient() =>
        Assert.That(RedshiftTransientErrors.IsTransient(Error("57014", "canceling statement due to statement timeout")), Is.False);

    [Test]
    public void Deadlock_IsTransient_AsNpgsqlSays() =>
        Assert.That(RedshiftTransientErrors.IsTransient(Error("40P01", "deadlock detected")), Is.True);

    [Test]
    public void AWrappedTransientError_IsTransient() =>
        Assert.That(RedshiftTransientErrors.IsTransient(new InvalidOperationException("outer", Error("XX000", "1023"))), Is.True);

    [Test]
    public void SyntaxErrors_AreNotTransient() =>
        Assert.That(RedshiftTransientErrors.IsTransient(Error("42601", "syntax error at or near \"SELEC\"")), Is.False);
}

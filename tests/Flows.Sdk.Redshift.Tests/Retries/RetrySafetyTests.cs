using Flows.Redshift.Retries;
using Npgsql;
using Work = Flows.Redshift.RedshiftDatabase.Work;

namespace Flows.Redshift.Tests.Retries;

/// <summary>What runs again after a failure, and what is surfaced as an unknown outcome instead.</summary>
public sealed class RetrySafetyTests
{
    private static readonly Exception Lost = new NpgsqlException("Exception while reading from stream", new IOException("Connection reset by peer"));

    private static readonly Exception Terminated = new PostgresException("terminating connection due to administrator command", "FATAL", "FATAL", "57P01");

    private static readonly Exception Conflict = new PostgresException("1023", "ERROR", "ERROR", "XX000", detail: "Serializable isolation violation on table - 100234");

    private static bool RunsAgain(Work work, AttemptProgress progress, Exception error) =>
        RetrySafety.OutcomeUnknown("Load into items", "items", work, progress, error) is null;

    // The work kinds are internal, so test cases name them.
    private static bool RunsAgain(string work, AttemptProgress progress, Exception error) => RunsAgain(Enum.Parse<Work>(work), progress, error);

    [Test]
    public void NothingSent_RunsAgain_WhateverTheWork()
    {
        foreach (var work in Enum.GetValues<Work>())
        {
            Assert.That(RunsAgain(work, new AttemptProgress(Sent: false, Committing: false, MayHaveCommitted: false), Lost), Is.True, work.ToString());
        }
    }

    [TestCase("Read", true)]
    [TestCase("Statement", false)]
    [TestCase("Transaction", true)]
    [TestCase("IdempotentTransaction", true)]
    [TestCase("AsWritten", false)]
    public void AConnectionLostWhileTheWorkRan_RunsAgainOnlyWhereNothingCanHaveCommitted(string work, bool runsAgain)
    {
        Assert.That(RunsAgain(work, new AttemptProgress(Sent: true, Committing: false, MayHaveCommitted: false), Lost), Is.EqualTo(runsAgain));
        Assert.That(RunsAgain(work, new AttemptProgress(Sent: true, Committing: false, MayHaveCommitted: false), Terminated), Is.EqualTo(runsAgain));
    }

    [TestCase("Transaction", false)]
    [TestCase("IdempotentTransaction", true)]
    public void AConnectionLostDuringCommit_RunsAgainOnlyWhenTheWorkIsIdempotent(string work, bool runsAgain) =>
        Assert.That(RunsAgain(work, new AttemptProgress(Sent: true, Committing: true, MayHaveCommitted: false), Lost), Is.EqualTo(runsAgain));

    [TestCase("Statement")]
    [TestCase("Transaction")]
    public void AnErrorTheServerAnsweredWith_RunsAgain_BecauseItRolledBack(string work) =>
        Assert.That(RunsAgain(work, new AttemptProgress(Sent: true, Committing: true, MayHaveCommitted: false), Conflict), Is.True);

    [Test]
    public void AnyTransientFailureAfterAStatementThatCommitsOnItsOwn_IsAnUnknownOutcome()
    {
        var unknown = RetrySafety.OutcomeUnknown("refresh.sql", "the tables refresh.sql changes", Work.Transaction, new AttemptProgress(Sent: true, Committing: false, MayHaveCommitted: true), Conflict);

        Assert.That(unknown?.Message, Does.StartWith("refresh.sql: it failed after a statement that commits on its own (TRUNCATE on Redshift) had run"));
        Assert.That(unknown?.InnerException, Is.SameAs(Conflict));
    }

    [Test]
    public void AnUnknownOutcome_IsNotTransient_SoNoRetryOnTransientRunsItAgain() =>
        Assert.That(RedshiftTransientErrors.IsTransient(new RedshiftOutcomeUnknownException("lost", Lost)), Is.False);

    [Test]
    public void ASessionTheServerEnded_IsTransient_AndALostConnection() =>
        Assert.That((RedshiftTransientErrors.IsTransient(Terminated), RedshiftTransientErrors.IsConnectionLost(Terminated)), Is.EqualTo((true, true)));

    [Test]
    public void AnOrdinaryServerError_IsNotALostConnection() =>
        Assert.That(RedshiftTransientErrors.IsConnectionLost(Conflict), Is.False);
}

namespace Flows.Eng.TrxSummary.Tests;

/// <summary>scripts/test.sh's result summing, on sample TRX files copied into a fresh folder per test.</summary>
public sealed class TrxSummaryCommandTests
{
    private DirectoryInfo _results = null!;

    [SetUp]
    public void CreateResultsFolder() => _results = Directory.CreateTempSubdirectory("trx-summary-test-");

    [TearDown]
    public void DeleteResultsFolder() => _results.Delete(recursive: true);

    [Test]
    public void PassedFailedAndSkipped_AreSummedOverEveryTrx_AndAFailureExitsNonZero()
    {
        Copy("all-passed", "one-failed", "two-ignored");

        var (code, output, errors) = Run(_results.FullName);

        Assert.Multiple(() =>
        {
            // 3 + 2 + 3 passed; failed + error of one-failed; two-ignored counts 2 only in total (NUnit's [Ignore]).
            Assert.That(LastLine(output), Is.EqualTo("8 passed, 2 failed, 2 skipped"));
            Assert.That(code, Is.EqualTo(1));
            Assert.That(errors, Is.Empty);
        });
    }

    [Test]
    public void AllPassed_ExitsZero_AndLeavesSkippedOutOfTheLine()
    {
        Copy("all-passed");

        var (code, output, _) = Run(_results.FullName);

        Assert.Multiple(() =>
        {
            Assert.That(output, Is.EqualTo("3 passed, 0 failed" + Environment.NewLine));
            Assert.That(code, Is.Zero);
        });
    }

    [Test]
    public void TrxFilesInSubfolders_AreCounted()
    {
        Copy("all-passed");
        Directory.CreateDirectory(Path.Combine(_results.FullName, "nested"));
        File.Copy(Sample("two-ignored"), Path.Combine(_results.FullName, "nested", "two-ignored.trx"));

        var (_, output, _) = Run(_results.FullName);

        Assert.That(LastLine(output), Is.EqualTo("6 passed, 0 failed, 2 skipped"));
    }

    [Test]
    public void NoTrx_ExitsNonZero_SayingNoTestProjectRan()
    {
        var (code, output, errors) = Run(_results.FullName);

        Assert.Multiple(() =>
        {
            Assert.That(LastLine(output), Is.EqualTo("0 passed, 0 failed"));
            Assert.That(code, Is.EqualTo(1));
            Assert.That(errors, Does.Contain("no TRX results found").And.Contain("no test project ran"));
        });
    }

    [Test]
    public void TrxWhereNothingExecuted_ExitsNonZero()
    {
        Copy("none-executed");

        var (code, output, errors) = Run(_results.FullName);

        Assert.Multiple(() =>
        {
            Assert.That(LastLine(output), Is.EqualTo("0 passed, 0 failed, 2 skipped"));
            Assert.That(code, Is.EqualTo(1));
            Assert.That(errors, Does.Contain("no test was executed"));
        });
    }

    [Test]
    public void AMalformedTrx_ExitsNonZero_NamingTheFile_AndTheOthersAreStillSummed()
    {
        Copy("all-passed", "cut-short");

        var (code, output, errors) = Run(_results.FullName);

        Assert.Multiple(() =>
        {
            Assert.That(LastLine(output), Is.EqualTo("3 passed, 0 failed"));
            Assert.That(code, Is.EqualTo(1));
            Assert.That(errors, Does.Contain(Path.Combine(_results.FullName, "cut-short.trx")).And.Contain("not a readable TRX file"));
        });
    }

    [Test]
    public void ATrxWithoutCounters_ExitsNonZero_NamingTheFile()
    {
        File.WriteAllText(Path.Combine(_results.FullName, "empty-run.trx"), "<TestRun xmlns=\"http://microsoft.com/schemas/VisualStudio/TeamTest/2010\" />");

        var (code, _, errors) = Run(_results.FullName);

        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(1));
            Assert.That(errors, Does.Contain("empty-run.trx: no <Counters> element"));
        });
    }

    [Test]
    public void ACountThatIsNotANumber_ExitsNonZero_NamingTheFileAndTheCounter()
    {
        File.WriteAllText(Path.Combine(_results.FullName, "odd.trx"), File.ReadAllText(Sample("all-passed")).Replace("passed=\"3\"", "passed=\"three\"", StringComparison.Ordinal));

        var (code, _, errors) = Run(_results.FullName);

        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(1));
            Assert.That(errors, Does.Contain("odd.trx: <Counters passed=\"three\"> is not a count"));
        });
    }

    [Test]
    public void AMissingFolder_ExitsNonZero_NamingIt()
    {
        var missing = Path.Combine(_results.FullName, "absent");

        var (code, output, errors) = Run(missing);

        Assert.Multiple(() =>
        {
            Assert.That(LastLine(output), Is.EqualTo("0 passed, 0 failed"));
            Assert.That(code, Is.EqualTo(1));
            Assert.That(errors, Does.Contain(missing));
        });
    }

    [Test]
    public void AWrongCommandLine_ExitsTwo_WithUsage()
    {
        var output = new StringWriter();
        var errors = new StringWriter();

        var code = TrxSummaryCommand.Run([], output, errors);

        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(2));
            Assert.That(errors.ToString(), Does.StartWith("usage:"));
        });
    }

    private static (int Code, string Output, string Errors) Run(string folder)
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        var code = TrxSummaryCommand.Run([folder], output, errors);
        return (code, output.ToString(), errors.ToString());
    }

    private static string LastLine(string output) => output.TrimEnd().Split(Environment.NewLine)[^1];

    private static string Sample(string name) => Path.Combine(TestContext.CurrentContext.TestDirectory, "Samples", name + ".trx");

    private void Copy(params string[] names)
    {
        foreach (var name in names)
        {
            File.Copy(Sample(name), Path.Combine(_results.FullName, name + ".trx"));
        }
    }
}

namespace Flows.Sdk.Generators.Tests;

public sealed class RunNamesTests
{
    [TestCase("LoadContacts", "load-contacts")]
    [TestCase("Download", "download")]
    [TestCase("RunETLJob", "run-etl-job")]
    [TestCase("DownloadAsync", "download")]
    [TestCase("Async", "async")]
    [TestCase("load_rows", "load-rows")]
    [TestCase("Sync2Db", "sync2-db")]
    public void DefaultName_IsKebabCaseWithoutAsync(string methodName, string expected)
    {
        Assert.That(RunNames.FromMethodName(methodName), Is.EqualTo(expected));
    }
}

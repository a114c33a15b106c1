using Flows.Dashboard.Tests.Support;

namespace Flows.Dashboard.Tests;

/// <summary>
/// Playwright's assertions wait 30 s for the whole assembly (its default, 5 s, is two refreshes of a live region on a
/// loaded machine); the one browser the tests share is closed when every test has run.
/// </summary>
[SetUpFixture]
public sealed class BrowserLifetime
{
    [OneTimeSetUp]
    public static void WaitAsLongAsTheOtherWaits() => Microsoft.Playwright.Assertions.SetDefaultExpectTimeout(30_000);

    [OneTimeTearDown]
    public static Task StopAsync() => Browser.StopAsync();
}

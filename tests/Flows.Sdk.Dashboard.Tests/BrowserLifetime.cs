using Flows.Dashboard.Tests.Support;

namespace Flows.Dashboard.Tests;

/// <summary>Closes the one browser the tests share when every test of the assembly has run.</summary>
[SetUpFixture]
public sealed class BrowserLifetime
{
    [OneTimeTearDown]
    public static Task StopAsync() => Browser.StopAsync();
}

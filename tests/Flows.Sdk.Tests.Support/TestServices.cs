namespace Flows.Tests.Support;

/// <summary>
/// The services scripts/test.sh starts and exports. Missing: a failure under CI=true (a missing service must never pass
/// as a skip there), the test ignored with the reason elsewhere.
/// </summary>
public static class TestServices
{
    /// <summary>The throw-away PostgreSQL's connection string (FLOWS_TEST_POSTGRES).</summary>
    public static string Postgres => Required("FLOWS_TEST_POSTGRES", "run scripts/test.sh, which starts a throw-away PostgreSQL.");

    /// <summary>The s3rver endpoint (FLOWS_TEST_S3).</summary>
    public static Uri S3 => new(Required("FLOWS_TEST_S3", "run scripts/test.sh, which starts s3rver."));

    /// <summary>The value of an environment variable scripts/test.sh exports.</summary>
    public static string Required(string variable, string whatToDo)
    {
        if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value)
        {
            return value;
        }

        var missing = $"{variable} is not set: {whatToDo}";
        if (Environment.GetEnvironmentVariable("CI") is { } ci && (ci.Equals("true", StringComparison.OrdinalIgnoreCase) || ci == "1"))
        {
            Assert.Fail(missing);
        }

        Assert.Ignore(missing);
        return string.Empty;
    }
}

namespace Flows.Redshift.Tests.Support;

/// <summary>
/// The services scripts/test.sh starts. Under CI=true a missing one fails the test; elsewhere the test is
/// ignored with the reason.
/// </summary>
internal static class TestServices
{
    public static string Postgres => Require("FLOWS_TEST_POSTGRES", "PostgreSQL");

    public static Uri S3 => new(Require("FLOWS_TEST_S3", "s3rver"));

    private static string Require(string variable, string what)
    {
        var value = Environment.GetEnvironmentVariable(variable);
        if (!string.IsNullOrEmpty(value))
        {
            return value;
        }

        var message = $"{variable} is not set: {what} is needed (scripts/test.sh starts one).";
        if (Environment.GetEnvironmentVariable("CI") is "true" or "TRUE" or "True" or "1")
        {
            Assert.Fail(message);
        }

        Assert.Ignore(message);
        return null!;
    }
}

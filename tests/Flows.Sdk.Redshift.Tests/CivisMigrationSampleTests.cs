using CivisMigration;
using Flows.Redshift.Tests.Support;

namespace Flows.Redshift.Tests;

/// <summary>samples/CivisMigration, run as its README says, against the test PostgreSQL.</summary>
[NonParallelizable] // The sample sets Serilog's global logger and writes to the console.
public sealed class CivisMigrationSampleTests
{
    [Test]
    public async Task Sample_RunsEndToEnd_AndAgainWithTheSameResult()
    {
        await using var schema = await TestSchema.CreateAsync();
        string[] args = ["--connection-string", schema.ConnectionString, "--schema", schema.Name, "--since", "2024-05-01"];

        var first = await CivisMigrationApp.RunAsync(args);
        var second = await CivisMigrationApp.RunAsync(args);

        Assert.That((first, second), Is.EqualTo((0, 0)));
        Assert.That(await schema.ScalarAsync<long>("SELECT COUNT(*) FROM raw_signups"), Is.EqualTo(SignupApiStub.All.Count), "the second run upserted the same rows");
        Assert.That(await schema.ScalarAsync<long>("SELECT SUM(signups) FROM daily_signups"), Is.EqualTo(SignupApiStub.All.Count));
        Assert.That(await schema.ScalarAsync<long>("SELECT SUM(signups) FROM daily_signups WHERE source = 'unknown'"), Is.EqualTo(SignupApiStub.All.Count(s => s.Source is null)));
    }

    [Test]
    public async Task Sample_WithoutACredentialPassword_ExitsWithUsageError()
    {
        // No REDSHIFT_* variables in the test environment (guarded so a developer's own never leak in).
        Assume.That(Environment.GetEnvironmentVariable("REDSHIFT_PASSWORD"), Is.Null);
        Environment.SetEnvironmentVariable("REDSHIFT_USERNAME", "etl");
        try
        {
            Assert.That(await CivisMigrationApp.RunAsync([]), Is.EqualTo(2));
        }
        finally
        {
            Environment.SetEnvironmentVariable("REDSHIFT_USERNAME", null);
        }
    }
}

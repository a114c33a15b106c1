using System.Web;
using Amazon.Runtime;
using Flows.Redshift.Connections;
using Flows.Redshift.Iam;
using Flows.Redshift.Tests.Support;
using Flows.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Flows.Redshift.Tests.Iam;

public sealed class IamAuthenticationTests
{
    private static readonly BasicAWSCredentials Aws = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    private static readonly DateTimeOffset Now = new(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Test]
    public async Task GetClusterCredentials_SendsASignedQueryRequest_AndReadsTheXmlAnswer()
    {
        await using var iam = await LoopbackIam.StartAsync("redshift");
        iam.Answer = _ => (200, "text/xml", LoopbackIam.ProvisionedXml("IAM:etl", "p@ss", Now.AddMinutes(15)));
        using var client = new IamCredentialClient(Provisioned(iam), "dev", new FakeTimeProvider(Now));

        var credentials = await client.FetchAsync(CancellationToken.None);

        var request = iam.Requests.Single();
        var form = HttpUtility.ParseQueryString(request.Body);
        Assert.Multiple(() =>
        {
            Assert.That(credentials, Is.EqualTo(new DbCredentials("IAM:etl", "p@ss", Now.AddMinutes(15))));
            Assert.That(request.ContentType, Is.EqualTo("application/x-www-form-urlencoded; charset=utf-8"));
            Assert.That(request.Authorization, Does.StartWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20300101/us-east-1/redshift/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature="));
            Assert.That(request.AmzDate, Is.EqualTo("20300101T120000Z"));
            Assert.That(form["Action"], Is.EqualTo("GetClusterCredentials"));
            Assert.That(form["Version"], Is.EqualTo("2012-12-01"));
            Assert.That(form["ClusterIdentifier"], Is.EqualTo("analytics"));
            Assert.That(form["DbUser"], Is.EqualTo("etl"));
            Assert.That(form["DbName"], Is.EqualTo("dev"));
            Assert.That(form["DurationSeconds"], Is.EqualTo("900"));
            Assert.That(form["AutoCreate"], Is.EqualTo("true"));
            Assert.That(form["DbGroups.DbGroup.1"], Is.EqualTo("loaders"));
            Assert.That(form["DbGroups.DbGroup.2"], Is.EqualTo("readers"));
        });
    }

    [Test]
    public async Task ServerlessGetCredentials_SendsASignedJsonRequest_AndReadsTheJsonAnswer()
    {
        await using var iam = await LoopbackIam.StartAsync("redshift-serverless");
        iam.Answer = _ => (200, "application/x-amz-json-1.1", LoopbackIam.ServerlessJson("IAMR:etl-role", "secret", Now.AddHours(1)));
        var options = new RedshiftIamOptions { WorkgroupName = "etl", Region = "eu-west-1", Endpoint = iam.Endpoint, Credentials = new SessionAWSCredentials("AKID", "secret", "session-token"), Duration = TimeSpan.FromHours(1) };
        using var client = new IamCredentialClient(options, "dev", new FakeTimeProvider(Now));

        var credentials = await client.FetchAsync(CancellationToken.None);

        var request = iam.Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(credentials, Is.EqualTo(new DbCredentials("IAMR:etl-role", "secret", Now.AddHours(1))));
            Assert.That(request.Target, Is.EqualTo("RedshiftServerless.GetCredentials"));
            Assert.That(request.ContentType, Is.EqualTo("application/x-amz-json-1.1"));
            Assert.That(request.SecurityToken, Is.EqualTo("session-token"));
            Assert.That(request.Authorization, Does.Contain("/eu-west-1/redshift-serverless/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target,"));
            Assert.That(request.Body, Is.EqualTo("""{"workgroupName":"etl","durationSeconds":3600,"dbName":"dev"}"""));
        });
    }

    [Test]
    public async Task AnErrorAnswer_IsReportedWithItsCode()
    {
        await using var iam = await LoopbackIam.StartAsync("redshift");
        iam.Answer = _ => (404, "text/xml", "<ErrorResponse><Error><Type>Sender</Type><Code>ClusterNotFound</Code><Message>Cluster analytics not found.</Message></Error></ErrorResponse>");
        using var client = new IamCredentialClient(Provisioned(iam), null, new FakeTimeProvider(Now));

        var error = Assert.ThrowsAsync<InvalidOperationException>(() => client.FetchAsync(CancellationToken.None));

        Assert.That(error!.Message, Is.EqualTo("GetClusterCredentials for cluster 'analytics' failed with HTTP 404: ClusterNotFound: Cluster analytics not found."));
    }

    [Test]
    public async Task Cache_KeepsCredentialsUntilSixtySecondsBeforeExpiry()
    {
        var time = new FakeTimeProvider(Now);
        var fetches = 0;
        using var cache = new IamCredentialCache(_ => Task.FromResult(new DbCredentials("IAM:etl", $"p{++fetches}", time.GetUtcNow().AddMinutes(15))), time);

        var first = await cache.GetAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(14) - TimeSpan.FromSeconds(1));
        var stillCached = await cache.GetAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(1));
        var refreshed = await cache.GetAsync(CancellationToken.None);

        Assert.That(new[] { first.Password, stillCached.Password, refreshed.Password }, Is.EqualTo(new[] { "p1", "p1", "p2" }));
    }

    [Test]
    public async Task Cache_FetchesOnce_WhenManyAskAtTheSameTime()
    {
        var fetches = 0;
        var release = new TaskCompletionSource();
        using var cache = new IamCredentialCache(
            async _ =>
            {
                Interlocked.Increment(ref fetches);
                await release.Task;
                return new DbCredentials("IAM:etl", "p", Now.AddMinutes(15));
            },
            new FakeTimeProvider(Now));

        var waiting = Enumerable.Range(0, 8).Select(_ => cache.GetAsync(CancellationToken.None).AsTask()).ToList();
        release.SetResult();
        await Task.WhenAll(waiting);

        Assert.That(fetches, Is.EqualTo(1));
    }

    [Test]
    public async Task IamDatabase_ConnectsAsTheUserIamReturns_AndAsksNpgsqlsPasswordProviderOnce()
    {
        await using var schema = await TestSchema.CreateAsync();
        var role = $"IAM:rs_{Guid.NewGuid():N}";
        await schema.ExecuteAsync($"CREATE ROLE \"{role}\" LOGIN; GRANT USAGE ON SCHEMA {schema.Name} TO \"{role}\"");
        try
        {
            await using var iam = await LoopbackIam.StartAsync("redshift");
            iam.Answer = _ => (200, "text/xml", LoopbackIam.ProvisionedXml(role, "temporary", DateTimeOffset.UtcNow.AddMinutes(15)));
            var server = new NpgsqlConnectionStringBuilder(schema.Server);
            await using (var database = new RedshiftDatabase(new RedshiftOptions
            {
                Iam = Provisioned(iam),
                Host = server.Host,
                Port = server.Port,
                Database = server.Database,
                SslMode = SslMode.Disable,
            }))
            {
                var users = new List<string>();
                for (var i = 0; i < 3; i++)
                {
                    users.AddRange(await database.QueryAsync<string>("SELECT current_user"));
                }

                Assert.That(users, Is.EqualTo(new[] { role, role, role }));
                Assert.That(iam.Requests, Has.Count.EqualTo(1), "the first answer is cached and handed to Npgsql's password provider");
            }
        }
        finally
        {
            await schema.ExecuteAsync($"REVOKE USAGE ON SCHEMA {schema.Name} FROM \"{role}\"; DROP ROLE \"{role}\"");
        }
    }

    [Test]
    public async Task AnIamTemporaryPassword_IsMaskedLikeAStoredSecret()
    {
        const string Temporary = "temporary-iam-password-42";
        using var harness = new Flows.Testing.FlowTestHarness();
        await using var iam = await LoopbackIam.StartAsync("redshift");
        iam.Answer = _ => (200, "text/xml", LoopbackIam.ProvisionedXml("IAM:etl", Temporary, DateTimeOffset.UtcNow.AddMinutes(15)));

        var built = await RedshiftDataSourceFactory.CreateAsync(
            new RedshiftOptions { Iam = Provisioned(iam), Host = "127.0.0.1", Database = "dev", SslMode = SslMode.Disable }, CancellationToken.None);
        await using var dataSource = built.DataSource;
        using var cache = built.Iam;
        using var client = built.IamClient;
        LogConnecting(Temporary);

        Assert.That(harness.Logs.Select(l => l.Message), Has.Some.Contains("connecting with ***").And.None.Contains(Temporary));
    }

    [Task("log-connecting")]
    internal static void LogConnecting(string password) => Flow.Logger.LogInformation("connecting with {Password}", password);

    private static RedshiftIamOptions Provisioned(LoopbackIam iam) => new()
    {
        ClusterIdentifier = "analytics",
        DbUser = "etl",
        DbGroups = ["loaders", "readers"],
        AutoCreate = true,
        Region = "us-east-1",
        Endpoint = iam.Endpoint,
        Credentials = Aws,
    };
}

using Amazon.Runtime;
using Flows.Runs;
using Flows.Secrets;
using Flows.Testing;
using Microsoft.Extensions.Configuration;

namespace Flows.Tests.Secrets;

public sealed class SecretProviderTests
{
    private readonly List<string> _variables = [];
    private string _folder = string.Empty;

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("flows-secrets-").FullName;

    [TearDown]
    public void CleanUp()
    {
        foreach (var variable in _variables)
        {
            Environment.SetEnvironmentVariable(variable, null);
        }

        Directory.Delete(_folder, recursive: true);
    }

    [Test]
    public async Task Environment_ReadsTheUpperCasedUnderscoredName()
    {
        var name = UniqueName("van-api.key");
        SetVariable(SecretNames.ToEnvironmentVariable(name), "env-value");
        var provider = new EnvironmentSecretProvider();

        var value = await provider.GetAsync(name, default);

        Assert.That(SecretNames.ToEnvironmentVariable("van-api.key"), Is.EqualTo("VAN_API_KEY"));
        Assert.That(value, Is.EqualTo("env-value"));
        Assert.That(provider.Describe("van-api-key"), Is.EqualTo("environment variable VAN_API_KEY"));
    }

    [Test]
    public async Task Environment_WithAPrefix_ReadsThePrefixedName_AndTreatsUnsetAsMissing()
    {
        var name = UniqueName("token");
        SetVariable("FLOWS_" + SecretNames.ToEnvironmentVariable(name), "prefixed");
        var provider = new EnvironmentSecretProvider("FLOWS_");

        Assert.That(await provider.GetAsync(name, default), Is.EqualTo("prefixed"));
        Assert.That(await new EnvironmentSecretProvider().GetAsync(name, default), Is.Null);
    }

    [TestCase("_", TestName = "Civis_ReadsCredentialParameterVariables")]
    [TestCase("_CREDENTIAL_", TestName = "Civis_ReadsDatabaseCredentialVariables")]
    public async Task Civis_ReadsUsernameAndPasswordVariables(string infix)
    {
        var name = UniqueName("redshift");
        var stem = SecretNames.ToEnvironmentVariable(name);
        SetVariable(stem + infix + "USERNAME", "civis_user");
        SetVariable(stem + infix + "PASSWORD", "civis-pass");
        ISecretProvider provider = new CivisCredentialSecretProvider();

        var credential = await provider.GetCredentialAsync(name, default);
        var password = await provider.GetAsync(name, default);

        Assert.That(credential, Is.EqualTo(new SecretCredential("civis_user", "civis-pass")));
        Assert.That(password, Is.EqualTo("civis-pass"), "a plain secret is the credential's password, where Civis keeps API keys");
    }

    [Test]
    public void Civis_DescribesBothVariableNamesItTries()
    {
        ISecretProvider provider = new CivisCredentialSecretProvider();

        Assert.That(provider.DescribeCredential("db"), Is.EqualTo(
            "Civis variable DB_USERNAME or DB_CREDENTIAL_USERNAME with Civis variable DB_PASSWORD or DB_CREDENTIAL_PASSWORD"));
    }

    [Test]
    public async Task Civis_AUsernameWithoutAPassword_IsMissing()
    {
        var name = UniqueName("half");
        SetVariable(SecretNames.ToEnvironmentVariable(name) + "_USERNAME", "only-user");
        ISecretProvider provider = new CivisCredentialSecretProvider();

        Assert.That(await provider.GetCredentialAsync(name, default), Is.Null);
    }

    [Test]
    public async Task Configuration_ReadsTheSecretsSection_FromAnySourceIncludingAUserSecretsFile()
    {
        // dotnet user-secrets writes a flat JSON file like this one; hosts load it as a configuration source.
        var userSecrets = Path.Combine(_folder, "secrets.json");
        await File.WriteAllTextAsync(userSecrets, """{ "Secrets:van-api-key": "from-user-secrets" }""");
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection([new("Secrets:db-password", "from-appsettings")])
            .AddJsonFile(userSecrets)
            .Build();
        var provider = new ConfigurationSecretProvider(configuration);

        Assert.That(await provider.GetAsync("van-api-key", default), Is.EqualTo("from-user-secrets"));
        Assert.That(await provider.GetAsync("db-password", default), Is.EqualTo("from-appsettings"));
        Assert.That(await provider.GetAsync("absent", default), Is.Null);
        Assert.That(provider.Describe("absent"), Is.EqualTo("configuration key Secrets:absent"));
    }

    [Test]
    public async Task Files_ReadsOneFilePerSecret_WithoutItsTrailingLineBreak()
    {
        await File.WriteAllTextAsync(Path.Combine(_folder, "van-api-key"), "file-value\n");
        var provider = new FileSecretProvider(_folder);

        Assert.That(await provider.GetAsync("van-api-key", default), Is.EqualTo("file-value"));
        Assert.That(await provider.GetAsync("absent", default), Is.Null);
    }

    [Test]
    public async Task Files_NeverReadOutsideTheFolder()
    {
        var inner = Directory.CreateDirectory(Path.Combine(_folder, "mounted")).FullName;
        await File.WriteAllTextAsync(Path.Combine(_folder, "outside"), "not-a-secret-of-yours");
        var provider = new FileSecretProvider(inner);

        Assert.That(await provider.GetAsync("../outside", default), Is.Null);
        Assert.That(provider.Describe("../outside"), Does.EndWith("(outside the folder; not read)"));
    }

    [Test]
    public async Task Ssm_ReadsASecureStringWithDecryption_UnderThePrefix()
    {
        using var endpoint = new FakeSsmEndpoint("us-east-1").With("/flows/prod/van-api-key", "ssm-secret-value");
        using var provider = Ssm(endpoint, "us-east-1");

        var value = await provider.GetAsync("van-api-key", default);

        Assert.That(value, Is.EqualTo("ssm-secret-value"));
        Assert.That(endpoint.Requests, Is.EqualTo(new[] { ("/flows/prod/van-api-key", true) }));
    }

    [Test]
    public async Task Ssm_AParameterThatDoesNotExist_IsMissing_SoTheNextProviderIsAsked()
    {
        using var endpoint = new FakeSsmEndpoint("us-east-1");
        using var provider = Ssm(endpoint, "us-east-1");

        var value = await provider.GetAsync("absent", default);

        Assert.That(value, Is.Null);
        Assert.That(provider.Describe("absent"), Is.EqualTo("AWS SSM parameter /flows/prod/absent (us-east-1)"));
    }

    [Test]
    public void Ssm_AccessDenied_FailsClearly_NamingParameterRegionAndWhatToGrant()
    {
        using var endpoint = new FakeSsmEndpoint("us-east-1").With("/flows/prod/denied", "hidden-value").Denying("/flows/prod/denied");
        using var provider = Ssm(endpoint, "us-east-1");

        var thrown = Assert.ThrowsAsync<SecretResolutionException>(async () => await provider.GetAsync("denied", default));

        Assert.That(thrown!.Message, Does.StartWith("AWS SSM Parameter Store (us-east-1) refused GetParameter for /flows/prod/denied: AccessDeniedException (400):"));
        Assert.That(thrown.Message, Does.Contain("Grant the caller ssm:GetParameter"));
        Assert.That(thrown.Message, Does.Not.Contain("hidden-value"));
    }

    [Test]
    public void Ssm_TheWrongRegion_FailsClearly_SayingToCheckTheRegion()
    {
        using var endpoint = new FakeSsmEndpoint("us-east-1").With("/flows/prod/van-api-key", "ssm-secret-value");
        using var provider = Ssm(endpoint, "eu-west-1");

        var thrown = Assert.ThrowsAsync<SecretResolutionException>(async () => await provider.GetAsync("van-api-key", default));

        Assert.That(thrown!.Message, Does.StartWith("AWS SSM Parameter Store (eu-west-1) refused GetParameter for /flows/prod/van-api-key: InvalidSignatureException (400):"));
        Assert.That(thrown.Message, Does.Contain("Check that the region (eu-west-1) is where the parameter lives"));
    }

    [Test]
    public async Task Ssm_AFailingProvider_StopsTheChain_AndTheRunFailsBeforeItsBody()
    {
        using var endpoint = new FakeSsmEndpoint("us-east-1").Denying("/flows/prod/secret-api-key");
        using var provider = Ssm(endpoint, "us-east-1");
        using var harness = new FlowTestHarness(o => o.SecretProviders.Add(provider));

        var run = await harness.RunAsync("secret-echo-length");

        Assert.That(run.State, Is.EqualTo(RunState.Failed));
        Assert.That(run.Error, Does.Contain("parameter 'apiKey': AWS SSM Parameter Store (us-east-1) refused GetParameter for /flows/prod/secret-api-key: AccessDeniedException"));
    }

    private static SsmSecretProvider Ssm(FakeSsmEndpoint endpoint, string region) => new(new SsmSecretProviderOptions
    {
        Region = region,
        Prefix = "/flows/prod/",
        ServiceUrl = endpoint.Url,
        Credentials = new BasicAWSCredentials("AKIDEXAMPLE", "test-secret-access-key"),
    });

    private string UniqueName(string stem) => $"{stem}-{Guid.NewGuid():N}";

    private void SetVariable(string variable, string value)
    {
        _variables.Add(variable);
        Environment.SetEnvironmentVariable(variable, value);
    }
}

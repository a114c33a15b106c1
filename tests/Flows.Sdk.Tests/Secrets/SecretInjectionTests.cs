using Flows.Runs;
using Flows.Testing;
using Flows.Tests.Fixtures;

namespace Flows.Tests.Secrets;

public sealed class SecretInjectionTests
{
    [Test]
    public async Task ASecretParameterLeftOut_IsResolvedAndInjected()
    {
        using var harness = new FlowTestHarness(o => o.Secrets["secret-api-key"] = "key-of-12345");

        var length = await SecretUsers.EchoLength();

        Assert.That(length, Is.EqualTo(12));
        Assert.That(harness.Runs.Single().Parameters, Is.EqualTo("""{"apiKey":"***"}"""));
    }

    [Test]
    public void ASynchronousTask_GetsItsSecretInjected()
    {
        using var harness = new FlowTestHarness(o => o.Secrets["secret-api-key"] = "key-of-12345");

        var length = SecretUsers.SyncLength(1);

        Assert.That(length, Is.EqualTo(13));
    }

    [Test]
    public void ASynchronousRun_WaitsForAProviderThatAnswersLater()
    {
        var provider = new CountingSecretProvider(new Dictionary<string, string> { ["secret-api-key"] = "slow-secret" }, answerAsynchronously: true);
        using var harness = new FlowTestHarness(o => o.SecretProviders.Add(provider));

        var length = SecretUsers.SyncLength(0);

        Assert.That(length, Is.EqualTo("slow-secret".Length));
    }

    [Test]
    public async Task AFlowRunByName_GetsItsSecretInjected()
    {
        using var harness = new FlowTestHarness(o => o.Secrets["secret-api-key"] = "by-name-key");

        var run = await harness.RunAsync("secret-echo-length");

        Assert.That(run.State, Is.EqualTo(RunState.Completed));
        Assert.That(run.Result, Is.EqualTo("11"));
    }

    [Test]
    public async Task ASecretGivenInTheJsonOfARunByName_IsUsedAsGiven_AndRecordedMasked()
    {
        var provider = new CountingSecretProvider(new Dictionary<string, string>());
        using var harness = new FlowTestHarness(o => o.SecretProviders.Add(provider));

        var run = await harness.RunAsync("secret-echo-length", new { apiKey = "json-given-key" });

        Assert.That(run.Result, Is.EqualTo("14"));
        Assert.That(run.Parameters, Is.EqualTo("""{"apiKey":"***"}"""));
        Assert.That(provider.Calls, Is.Zero, "no provider is asked for a given value");
    }

    [Test]
    public async Task ASecretCredentialParameter_IsInjectedFromAUsernamePasswordPair()
    {
        using var harness = new FlowTestHarness(o =>
        {
            o.Secrets["secret-db-username"] = "etl_user";
            o.Secrets["secret-db-password"] = "pw-123456";
        });

        var run = await harness.RunAsync("secret-credential-user");

        Assert.That(run.Result, Is.EqualTo("\"etl_user:9\""));
        Assert.That(harness.Engine.Redact("pw-123456 etl_user"), Is.EqualTo("*** etl_user"), "the password is masked, the user name is not");
    }

    [Test]
    public async Task AMissingSecret_FailsTheRunBeforeItsBody_NamingTheSecretAndEveryProviderTried()
    {
        var other = new CountingSecretProvider(new Dictionary<string, string>());
        using var harness = new FlowTestHarness(o => o.SecretProviders.Add(other));
        var bodyRuns = SecretUsers.BodyRuns;

        var thrown = Assert.ThrowsAsync<SecretResolutionException>(() => SecretUsers.EchoLength());

        var run = harness.Runs.Single();
        Assert.Multiple(() =>
        {
            Assert.That(thrown!.SecretName, Is.EqualTo("secret-api-key"));
            Assert.That(thrown.Message, Is.EqualTo(
                "Flow 'secret-echo-length': parameter 'apiKey': Secret 'secret-api-key' was not found. "
                + "Tried: inline secret 'secret-api-key'; counting provider 'secret-api-key'."));
            Assert.That(SecretUsers.BodyRuns, Is.EqualTo(bodyRuns), "the body never ran");
            Assert.That(run.State, Is.EqualTo(RunState.Failed));
            Assert.That(run.Attempt, Is.Zero, "no attempt was made");
            Assert.That(run.Error, Does.StartWith("SecretResolutionException: Flow 'secret-echo-length': parameter 'apiKey': Secret 'secret-api-key' was not found."));
        });
    }

    [Test]
    public async Task AMissingSecret_InARunByName_IsRecordedAsAFailedRun()
    {
        using var harness = new FlowTestHarness();

        var run = await harness.RunAsync("secret-echo-length");

        Assert.That(run.State, Is.EqualTo(RunState.Failed));
        Assert.That(run.Error, Does.Contain("Secret 'secret-api-key' was not found"));
    }

    [Test]
    public async Task FlowSecrets_ResolveOnDemandInsideARun()
    {
        using var harness = new FlowTestHarness(o => o.Secrets["secret-api-key"] = "on-demand-key");

        var length = await SecretUsers.OnDemand();

        Assert.That(length, Is.EqualTo("on-demand-key".Length));
    }

    [Test]
    public async Task FlowSecrets_ResolveOutsideAnyRun_FromTheEngineInScope()
    {
        using var harness = new FlowTestHarness(o =>
        {
            o.Secrets["redshift-username"] = "loader";
            o.Secrets["redshift-password"] = "redshift-pw";
        });

        var credential = await Flow.Secrets.GetCredentialAsync("redshift");

        Assert.That(credential, Is.EqualTo(new SecretCredential("loader", "redshift-pw")));
        Assert.That(credential.ToString(), Does.Not.Contain("redshift-pw"));
    }

    [Test]
    public void FlowSecrets_WithAnEmptyName_FailsNamingTheProblem()
    {
        using var harness = new FlowTestHarness();

        var thrown = Assert.ThrowsAsync<ArgumentException>(async () => await Flow.Secrets.GetAsync(" "));

        Assert.That(thrown!.Message, Does.StartWith("GetAsync: a secret name is empty"));
    }
}

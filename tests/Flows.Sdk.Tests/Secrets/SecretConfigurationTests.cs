using Flows.Secrets;
using Flows.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Flows.Tests.Secrets;

public sealed class SecretConfigurationTests
{
    [Test]
    public void ProvidersNamedInConfiguration_FormTheChainInOrder()
    {
        var configuration = Configuration(
            ("Flows:Secrets:Providers:0", "files"),
            ("Flows:Secrets:Providers:1", "Environment"),
            ("Flows:Secrets:Providers:2", "civis"),
            ("Flows:Secrets:Providers:3", "configuration"),
            ("Flows:Secrets:Providers:4", "ssm"),
            ("Flows:Secrets:Files:Path", "/var/run/app-secrets"),
            ("Flows:Secrets:Environment:Prefix", "APP_"),
            ("Flows:Secrets:Ssm:Region", "us-east-2"),
            ("Flows:Secrets:Ssm:Prefix", "/app"));

        using var engine = new FlowEngine(new FlowEngineOptions { Configuration = configuration });

        Assert.That(engine.Secrets.Providers.Select(p => p.Describe("van-api-key")), Is.EqualTo(new[]
        {
            "file /var/run/app-secrets/van-api-key",
            "environment variable APP_VAN_API_KEY",
            "Civis variable VAN_API_KEY_PASSWORD or VAN_API_KEY_CREDENTIAL_PASSWORD",
            "configuration key Secrets:van-api-key",
            "AWS SSM parameter /app/van-api-key (us-east-2)",
        }));
    }

    [Test]
    public void ProvidersGivenAsOneCommaSeparatedValue_FormTheChainInOrder()
    {
        using var engine = new FlowEngine(new FlowEngineOptions { Configuration = Configuration(("Flows:Secrets:Providers", "civis, environment")) });

        Assert.That(engine.Secrets.Providers.Select(p => p.GetType()), Is.EqualTo(new[] { typeof(CivisCredentialSecretProvider), typeof(EnvironmentSecretProvider) }));
    }

    [Test]
    public void WithNothingConfigured_TheDefaultChainIsEnvironmentCivisConfigurationFiles()
    {
        using var engine = new FlowEngine(new FlowEngineOptions { Configuration = Configuration() });

        Assert.That(engine.Secrets.Providers.Select(p => p.GetType()), Is.EqualTo(new[]
        {
            typeof(EnvironmentSecretProvider),
            typeof(CivisCredentialSecretProvider),
            typeof(ConfigurationSecretProvider),
            typeof(FileSecretProvider),
        }));
    }

    [Test]
    public void TheDefaultChain_HonoursTheSettingsOfItsProviders()
    {
        var configuration = Configuration(
            ("Flows:Secrets:Environment:Prefix", "APP_"),
            ("Flows:Secrets:Configuration:Section", "AppSecrets"),
            ("Flows:Secrets:Files:Path", "/var/run/app-secrets"));

        using var engine = new FlowEngine(new FlowEngineOptions { Configuration = configuration });

        Assert.That(engine.Secrets.Providers.Select(p => p.Describe("van-api-key")), Is.EqualTo(new[]
        {
            "environment variable APP_VAN_API_KEY",
            "Civis variable VAN_API_KEY_PASSWORD or VAN_API_KEY_CREDENTIAL_PASSWORD",
            "configuration key AppSecrets:van-api-key",
            "file /var/run/app-secrets/van-api-key",
        }));
    }

    [Test]
    public void SsmSettingsWithTheDefaultChain_FailEngineCreation_SayingToListSsm()
    {
        var configuration = Configuration(("Flows:Secrets:Ssm:Region", "us-east-2"));

        var thrown = Assert.Throws<InvalidOperationException>(() => new FlowEngine(new FlowEngineOptions { Configuration = configuration }));

        Assert.That(thrown!.Message, Is.EqualTo(
            "Configuration Flows:Secrets:Ssm:Region is set, but the ssm secret provider is not in the chain, so nothing would read it: "
            + "with no Flows:Secrets:Providers the chain is environment, civis, configuration, files, and SSM is only asked when named. "
            + "Name ssm in Flows:Secrets:Providers (for example \"environment,civis,configuration,files,ssm\"), or remove the setting."));
    }

    [Test]
    public void SettingsOfAProviderLeftOutOfTheConfiguredChain_FailEngineCreation_NamingTheKey()
    {
        var configuration = Configuration(("Flows:Secrets:Providers", "environment,civis"), ("Flows:Secrets:Files:Path", "/var/run/app-secrets"));

        var thrown = Assert.Throws<InvalidOperationException>(() => new FlowEngine(new FlowEngineOptions { Configuration = configuration }));

        Assert.That(thrown!.Message, Is.EqualTo(
            "Configuration Flows:Secrets:Files:Path is set, but the files secret provider is not in the chain, so nothing would read it: "
            + "Flows:Secrets:Providers names environment, civis. Name files in Flows:Secrets:Providers, or remove the setting."));
    }

    [Test]
    public void SettingsOfConfiguredProviders_WhenTheChainIsGivenInCode_FailEngineCreation_NamingTheKey()
    {
        var options = new FlowEngineOptions { Configuration = Configuration(("Flows:Secrets:Environment:Prefix", "APP_")) };
        options.Secrets.Providers.Add(new InlineSecretProvider([]));

        var thrown = Assert.Throws<InvalidOperationException>(() => new FlowEngine(options));

        Assert.That(thrown!.Message, Does.StartWith(
            "Configuration Flows:Secrets:Environment:Prefix is set, but the environment secret provider is not in the chain, so nothing would read it: "
            + "the chain is the providers given in code"));
    }

    [Test]
    public void AnUnknownProviderSetting_FailsEngineCreation_NamingTheKeyAndTheKnownOnes()
    {
        var configuration = Configuration(("Flows:Secrets:Files:Folder", "/var/run/app-secrets"));

        var thrown = Assert.Throws<InvalidOperationException>(() => new FlowEngine(new FlowEngineOptions { Configuration = configuration }));

        Assert.That(thrown!.Message, Is.EqualTo("Configuration Flows:Secrets:Files:Folder is not a setting of the files secret provider; it has Path."));
    }

    [Test]
    public void AnUnknownProviderInConfiguration_FailsEngineCreation_NamingTheKey()
    {
        var configuration = Configuration(("Flows:Secrets:Providers:0", "environment"), ("Flows:Secrets:Providers:1", "vault"));

        var thrown = Assert.Throws<InvalidOperationException>(() => new FlowEngine(new FlowEngineOptions { Configuration = configuration }));

        Assert.That(thrown!.Message, Does.StartWith(
            "Configuration Flows:Secrets:Providers:1 is 'vault', which is not a secret provider. Known providers: environment, civis, configuration, files, ssm;"));
    }

    [Test]
    public void AnUnknownProviderInConfiguration_FailsHostStartUp_AndLeavesTheLoggerFactoryUntouched()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection([new("Flows:Secrets:Providers:0", "keyvault")]);
        builder.Services.AddFlows();
        using var host = builder.Build();

        var thrown = Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.That(thrown!.Message, Does.Contain("Flows:Secrets:Providers:0 is 'keyvault', which is not a secret provider"));
    }

    [Test]
    public void AnInvalidCacheDurationInConfiguration_FailsEngineCreation()
    {
        var configuration = Configuration(("Flows:Secrets:CacheSeconds", "soon"));

        var thrown = Assert.Throws<InvalidOperationException>(() => new FlowEngine(new FlowEngineOptions { Configuration = configuration }));

        Assert.That(thrown!.Message, Is.EqualTo("Configuration Flows:Secrets:CacheSeconds is 'soon', which is not a number of seconds zero or greater."));
    }

    [Test]
    public void AnEmptySecretName_FailsHarnessCreation()
    {
        var thrown = Assert.Throws<ArgumentException>(() => new FlowTestHarness(o => o.Secrets[""] = "value"));

        Assert.That(thrown!.Message, Does.StartWith("Inline secrets: a secret name is empty"));
    }

    [Test]
    public void AnEmptySecretNameInARegisteredProvider_FailsHostStartUp()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddFlows();
        builder.Services.AddSingleton<ISecretProvider>(_ => new InlineSecretProvider([new(" ", "value")]));
        using var host = builder.Build();

        var thrown = Assert.ThrowsAsync<ArgumentException>(() => host.StartAsync());

        Assert.That(thrown!.Message, Does.StartWith("Inline secrets: a secret name is empty"));
    }

    [Test]
    public void ProvidersRegisteredWithTheHost_ComeBeforeConfiguredOnes()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection([new("Flows:Secrets:Providers:0", "environment")]);
        builder.Services.AddSingleton<ISecretProvider>(new InlineSecretProvider([]));
        builder.Services.AddFlows();
        using var host = builder.Build();

        var engine = host.Services.GetRequiredService<FlowEngine>();

        Assert.That(engine.Secrets.Providers.Select(p => p.GetType()), Is.EqualTo(new[] { typeof(InlineSecretProvider), typeof(EnvironmentSecretProvider) }));
        Assert.That(engine.LoggerFactory, Is.SameAs(host.Services.GetRequiredService<ILoggerFactory>()), "the engine shares the host's masking factory");
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();
}

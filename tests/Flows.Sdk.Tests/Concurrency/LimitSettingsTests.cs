using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Flows.Tests;

public sealed class LimitSettingsTests
{
    [TestCase("Flows:Limits:van-api", "0")]
    [TestCase("Flows:Limits:van-api", "-3")]
    [TestCase("Flows:Limits:van-api", "four")]
    [TestCase("Flows:RateLimits:van-api", "ten per second")]
    [TestCase("Flows:RateLimits:van-api", "0/1s")]
    [TestCase("Flows:RateLimits:van-api", "10/0s")]
    public void ABadLimitInConfiguration_FailsWhenTheEngineIsCreated_NamingTheSetting(string key, string value)
    {
        var options = new FlowEngineOptions { Configuration = Configuration((key, value)) };

        var error = Assert.Throws<InvalidOperationException>(() => new FlowEngine(options).Dispose());

        Assert.That(error!.Message, Does.StartWith($"Configuration value '{key}' = '{value}' is not valid: expected "));
    }

    [Test]
    public void ALimitSection_InsteadOfAValue_FailsNamingIt()
    {
        var options = new FlowEngineOptions { Configuration = Configuration(("Flows:Limits:van-api:max", "4")) };

        var error = Assert.Throws<InvalidOperationException>(() => new FlowEngine(options).Dispose());

        Assert.That(error!.Message, Does.Contain("'Flows:Limits:van-api' = '(a section)'"));
    }

    [Test]
    public void ABadLimitInCode_FailsWhenTheEngineIsCreated_NamingTheEntry()
    {
        var options = new FlowEngineOptions { Limits = { ["van-api"] = 0 } };

        var error = Assert.Throws<ArgumentException>(() => new FlowEngine(options).Dispose());

        Assert.That(error!.Message, Does.StartWith("FlowEngineOptions.Limits[\"van-api\"] = 0 is not valid"));
    }

    [Test]
    public void AnUnsetRateLimitInCode_FailsWhenTheEngineIsCreated_NamingTheEntry()
    {
        var options = new FlowEngineOptions { RateLimits = { ["van-api"] = default } };

        var error = Assert.Throws<ArgumentException>(() => new FlowEngine(options).Dispose());

        Assert.That(error!.Message, Does.StartWith("FlowEngineOptions.RateLimits[\"van-api\"] = (none) is not valid"));
    }

    [Test]
    public void ABadLimit_StopsAHostAtStartUp_NamingTheSetting()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Flows:RateLimits:van-api"] = "10 a second" });
        builder.Services.AddFlows();
        using var host = builder.Build();

        var error = Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.That(error!.Message, Does.Contain("'Flows:RateLimits:van-api' = '10 a second'"));
    }

    [Test]
    public void Configuration_OverridesCode_TagByTag()
    {
        var options = new FlowEngineOptions
        {
            Configuration = Configuration(("Flows:Limits:van-api", "8"), ("Flows:RateLimits:van-api", "5/1m")),
            Limits = { ["van-api"] = 2, ["warehouse"] = 3 },
            RateLimits = { ["VAN-API"] = new RateLimit(1, TimeSpan.FromSeconds(1)) },
        };

        using var engine = new FlowEngine(options);

        Assert.That(engine.Limits.TagSlots("van-api")!.Description, Is.EqualTo("a slot of tag 'van-api' (8 at a time)"));
        Assert.That(engine.Limits.TagSlots("warehouse")!.Description, Is.EqualTo("a slot of tag 'warehouse' (3 at a time)"));
        Assert.That(engine.Limits.TagRate("van-api")!.Description, Is.EqualTo("a permit of tag 'VAN-API' (5/1m)"));
        Assert.That(engine.Limits.TagSlots("elsewhere"), Is.Null);
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();
}

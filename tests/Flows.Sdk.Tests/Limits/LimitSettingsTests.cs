using Flows.Limits;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Flows.Tests.Limits;

public sealed class LimitSettingsTests
{
    [TestCase("Flows:Limits:van-api", "0")]
    [TestCase("Flows:Limits:van-api", "-3")]
    [TestCase("Flows:Limits:van-api", "four")]
    [TestCase("Flows:RateLimits:van-api", "ten per second")]
    [TestCase("Flows:RateLimits:van-api", "0/1s")]
    [TestCase("Flows:RateLimits:van-api", "10/0s")]
    [TestCase("Flows:LimitScope", "cluster")]
    [TestCase("Flows:LimitScope", "1")]
    public void ABadLimitInConfiguration_FailsWhenTheEngineIsCreated_NamingTheSetting(string key, string value)
    {
        var options = new FlowEngineOptions { Configuration = Configuration((key, value)) };

        var error = Assert.Throws<InvalidOperationException>(() => new FlowEngine(options).Dispose());

        Assert.That(error!.Message, Does.StartWith($"Configuration value '{key}' = '{value}' is not valid: expected "));
    }

    [TestCase("1/60d")]
    [TestCase("1/99999999999d")]
    [TestCase("1/99999999999999999999999999d")]
    [TestCase("1/50d")]
    [TestCase("1/0.5ms")]
    [TestCase("1/1.5ms")]
    [TestCase("99999999999/1s")]
    [TestCase("-1/1s")]
    [TestCase("0/1s")]
    public void ARateLimitOutOfRange_InConfiguration_FailsWhenTheEngineIsCreated_NamingTheSettingAndTheRange(string value)
    {
        var options = new FlowEngineOptions { Configuration = Configuration(("Flows:RateLimits:van-api", value)) };

        var error = Assert.Throws<InvalidOperationException>(() => new FlowEngine(options).Dispose());

        Assert.That(error!.Message, Does.StartWith($"Configuration value 'Flows:RateLimits:van-api' = '{value}' is not valid: expected "));
        Assert.That(error.Message, Does.Contain("permits from 1 to 2147483647").And.Contain("from 1 ms to 49 days"));
    }

    [TestCase("1/49d", 49 * 24)]
    [TestCase("2147483647/1ms", 0)]
    public void ARateLimitAtTheEdgesOfTheRange_IsAccepted(string value, int hours)
    {
        var options = new FlowEngineOptions { Configuration = Configuration(("Flows:RateLimits:van-api", value)) };

        using var engine = new FlowEngine(options);

        Assert.That(engine.Limits.TagRate("van-api")!.Description, Is.EqualTo($"a permit of tag 'van-api' ({value})"));
        Assert.That(((WindowRateLimiter)engine.Limits.TagRate("van-api")!.Limiter).ReplenishmentPeriod, Is.EqualTo(hours == 0 ? TimeSpan.FromMilliseconds(1) : TimeSpan.FromHours(hours)));
    }

    [Test]
    public void ARateLimitOutOfRange_InCode_FailsWhereItIsWritten_WithTheRange()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new RateLimit(1, TimeSpan.FromDays(60)));

        Assert.That(error!.ParamName, Is.EqualTo("interval"));
        Assert.That(error.Message, Does.Contain("from 1 ms to 49 days"));
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

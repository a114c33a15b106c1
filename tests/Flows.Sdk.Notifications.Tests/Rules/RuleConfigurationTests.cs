using Flows.Notifications.Rules;
using Microsoft.Extensions.Configuration;

namespace Flows.Notifications.Tests.Rules;

/// <summary>Rules declared under <c>Flows:Notifications:Rules</c>.</summary>
public sealed class RuleConfigurationTests
{
    [Test]
    public void RulesFromConfiguration_AreNamedByTheirKey_WithWhatTheyWatchAndWhereTheyGo()
    {
        var configuration = Configuration(
            ("failures:Events", "Failed, Crashed, TimedOut, Recovered"), ("failures:Flows:0", "voter-sync*"), ("failures:Flows:1", "load"),
            ("failures:Channels", "slack, oncall"), ("failures:GroupFor", "04:00:00"),
            ("silent:NotSucceededWithin:Deployment", "nightly-load"), ("silent:NotSucceededWithin:Window", "1.02:00:00"), ("silent:Channels:0", "oncall"),
            ("late:LateAfter", "00:10:00"), ("late:Deployments", "nightly-*"), ("late:Channels", "slack"),
            ("stalled:RunningLongerThan", "02:00:00"), ("stalled:Channels", "slack"));

        var rules = RuleConfiguration.Read(configuration).Select(b => b.Build()).ToDictionary(r => r.Name);

        Assert.That(rules.Keys, Is.EquivalentTo(new[] { "failures", "silent", "late", "stalled" }));
        var failures = rules["failures"];
        Assert.That((failures.Events, failures.GroupFor), Is.EqualTo((RunEvent.AnyFailure | RunEvent.Recovered, (TimeSpan?)TimeSpan.FromHours(4))));
        Assert.That((failures.Flows, failures.Channels), Is.EqualTo((new[] { "voter-sync*", "load" }, new[] { "slack", "oncall" })));
        Assert.That((rules["silent"].Events, rules["silent"].NotSucceededWithin), Is.EqualTo((RunEvent.Silent, ((string, TimeSpan)?)("nightly-load", TimeSpan.FromHours(26)))));
        Assert.That((rules["late"].Events, rules["late"].LateAfter, rules["late"].Deployments), Is.EqualTo((RunEvent.Late, (TimeSpan?)TimeSpan.FromMinutes(10), new[] { "nightly-*" })));
        Assert.That((rules["stalled"].Events, rules["stalled"].RunningLongerThan), Is.EqualTo((RunEvent.Stalled, (TimeSpan?)TimeSpan.FromHours(2))));
    }

    [TestCase("Colour", "red", "Notification rule 'bad': Flows:Notifications:Rules:bad:Colour is not a setting of a rule")]
    [TestCase("Events", "Failed, Exploded", "Notification rule 'bad': Flows:Notifications:Rules:bad:Events names 'Exploded', which is not an event")]
    [TestCase("Events", "7", "Notification rule 'bad': Flows:Notifications:Rules:bad:Events names '7', which is not an event")]
    [TestCase("LateAfter", "ten minutes", "Notification rule 'bad': Flows:Notifications:Rules:bad:LateAfter must be a positive time span")]
    [TestCase("RunningLongerThan", "-01:00:00", "Notification rule 'bad': Flows:Notifications:Rules:bad:RunningLongerThan must be a positive time span")]
    [TestCase("NotSucceededWithin:Window", "1.02:00:00", "Notification rule 'bad': Flows:Notifications:Rules:bad:NotSucceededWithin:Deployment is required")]
    [TestCase("NotSucceededWithin:Deployment", "nightly", "Notification rule 'bad': Flows:Notifications:Rules:bad:NotSucceededWithin:Window is required")]
    public void ABadRuleSetting_FailsAtStart_NamingTheRuleAndKey(string key, string value, string expected)
    {
        var settings = new Dictionary<string, string?> { ["bad:Events"] = "Failed", ["bad:Channels"] = "slack" };
        settings["bad:" + key] = value;
        var configuration = Configuration([.. settings.Select(s => (s.Key, s.Value))]);

        var error = Assert.Throws<InvalidOperationException>(() => RuleConfiguration.Read(configuration));

        Assert.That(error!.Message, Does.StartWith(expected));
    }

    private static IConfiguration Configuration(params (string Key, string? Value)[] settings) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(RuleConfiguration.Section + ":" + s.Key, s.Value)))
            .Build();
}

using Flows.Notifications;

namespace Flows.Notifications.Tests.Rules;

/// <summary>What a rule declared in code says.</summary>
public sealed class NotificationRuleBuilderTests
{
    [Test]
    public void ARule_KeepsItsEventsPatternsAndChannels_AndNamesItselfFromThem()
    {
        var builder = new NotificationRuleBuilder()
            .When(RunEvent.Failed | RunEvent.Crashed).ForFlows("voter-sync*").To("slack", "oncall").WhenRecovered();

        var rule = builder.Build();

        Assert.That(rule.Events, Is.EqualTo(RunEvent.Failed | RunEvent.Crashed | RunEvent.Recovered));
        Assert.That(rule.Flows, Is.EqualTo(new[] { "voter-sync*" }));
        Assert.That(rule.Channels, Is.EqualTo(new[] { "slack", "oncall" }));
        Assert.That(rule.Name, Is.EqualTo("Failed|Crashed|Recovered voter-sync*"));
    }
}

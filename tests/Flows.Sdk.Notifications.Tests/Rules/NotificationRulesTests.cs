using Flows.Notifications.Rules;
using Flows.Notifications.Tests.Delivery;

namespace Flows.Notifications.Tests.Rules;

/// <summary>Rules are checked when the application starts, and their patterns match names as documented.</summary>
public sealed class NotificationRulesTests
{
    [TestCase("no-event", "notifies no event")]
    [TestCase("recovered-only", "notifies no event")]
    [TestCase("no-channel", "sends to no channel")]
    [TestCase("unknown-channel", "sends to channel 'pager', which does not exist (declared: ops)")]
    public void ABadRule_IsAnErrorNamingIt(string rule, string expected)
    {
        var options = new NotificationsOptions().Channel(new RecordingChannel("ops"));
        options.Notify(n => n.Named("fine").When(RunEvent.Failed).To("ops"));
        _ = rule switch
        {
            "no-event" => options.Notify(n => n.Named(rule).To("ops")),
            "recovered-only" => options.Notify(n => n.Named(rule).WhenRecovered().To("ops")),
            "no-channel" => options.Notify(n => n.Named(rule).When(RunEvent.Failed)),
            _ => options.Notify(n => n.Named(rule).When(RunEvent.Failed).To("ops", "pager")),
        };

        var error = Assert.Throws<InvalidOperationException>(() => NotificationRules.Create(options, []));

        Assert.That(error!.Message, Does.StartWith($"Notification rule '{rule}' {expected}"));
    }

    [Test]
    public void TwoChannelsWithOneName_AreAnErrorNamingIt()
    {
        var options = new NotificationsOptions().Channel(new RecordingChannel("ops")).Channel(new RecordingChannel("ops"));

        var error = Assert.Throws<InvalidOperationException>(() => NotificationRules.Create(options, []));

        Assert.That(error!.Message, Does.Contain("'ops'"));
    }

    [TestCase("voter-sync*", "voter-sync-daily", true)]
    [TestCase("voter-sync*", "voter-sync", true)]
    [TestCase("voter-sync*", "old-voter-sync", false)]
    [TestCase("*-load", "nightly-load", true)]
    [TestCase("a.b", "axb", false)]
    [TestCase("Load", "load", false)]
    public void APattern_MatchesTheWholeName_StarAsAnyRunOfCharacters(string pattern, string name, bool matches)
    {
        Assert.That(CompiledRule.Glob(pattern).IsMatch(name), Is.EqualTo(matches));
    }
}

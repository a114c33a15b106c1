using Flows.Dashboard.Pages.Workers;
using Flows.Stores;

namespace Flows.Dashboard.Tests.Pages.Workers;

/// <summary>How the workers page words a node: how long ago it checked in, what it serves.</summary>
public sealed class NodesViewTests
{
    [TestCase(0.4, "just now")]
    [TestCase(4.9, "4 s ago")]
    [TestCase(59, "59 s ago")]
    [TestCase(600, "10 min ago")]
    [TestCase(7500, "2 h 05 m ago")]
    public void ACheckIn_ReadsAsHowLongAgo(double seconds, string words) =>
        Assert.That(NodesView.Ago(TimeSpan.FromSeconds(seconds)), Is.EqualTo(words));

    [Test]
    public void WhatANodeServes_ReadsAsItsRolesQueuesAndConcurrency()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Text(null), Is.EqualTo("Runs flows in its own process no orchestration"));
            Assert.That(Text(new NodeDescription()), Is.EqualTo("Client: runs nothing"));
            Assert.That(Text(new NodeDescription { Schedules = true }), Is.EqualTo("Schedules only"));
            Assert.That(Text(new NodeDescription { Works = true, Schedules = true, MaxConcurrentRuns = 10 }), Is.EqualTo("Runs and schedules every queue up to 10 at once"));
            Assert.That(Text(new NodeDescription { Works = true, RefusedQueues = ["heavy"] }), Is.EqualTo("Runs flows every queue but heavy"));
            Assert.That(Text(new NodeDescription { Works = true, Queues = ["a", "b"] }), Is.EqualTo("Runs flows queues a b"));
        });
    }

    [Test]
    public void AQueueNameIsText_NeverMarkup()
    {
        var html = NodesView.Serves(new NodeDescription { Works = true, Queues = ["<script>alert(1)</script>"] }).Value;

        Assert.That(html, Does.Not.Contain("<script>").And.Contain("&lt;script&gt;"));
    }

    /// <summary>The markup's text, as a reader sees it.</summary>
    private static string Text(NodeDescription? description) =>
        System.Text.RegularExpressions.Regex.Replace(
            System.Text.RegularExpressions.Regex.Replace(NodesView.Serves(description).Value, "<[^>]+>", " "), @"\s+", " ").Trim();
}

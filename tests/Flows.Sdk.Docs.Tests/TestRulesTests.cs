using System.Text.RegularExpressions;

namespace Flows.Sdk.Docs.Tests;

/// <summary>
/// The test suite's own rules, checked on its sources: no test waits a guessed time for something to happen
/// (<c>Task.Delay</c>, <c>Thread.Sleep</c>). Wait on a signal instead (a <c>TaskCompletionSource</c>, a counter with
/// <c>Eventually.Until</c>, an event id in a <c>CapturedLog</c>), or move a fake clock (<c>FakeTimeProvider</c>,
/// <c>Eventually.AdvanceUntilDone</c>). On a loaded 2-core machine a guessed time is either too short (a flaky test) or
/// too long (a slow one).
/// </summary>
public sealed partial class TestRulesTests
{
    /// <summary>
    /// The only places a delay may stand, each with why a signal cannot do its work; the count is exact, so a place
    /// that stops needing it must leave the list too. <c>Task.Delay(Timeout.Infinite, token)</c> is allowed anywhere:
    /// it waits for a signal (the token's cancellation), not for time to pass.
    /// </summary>
    private static readonly Dictionary<string, (int Count, string Why)> Allowed = new(StringComparer.Ordinal)
    {
        ["tests/Flows.Sdk.Tests.Support/Eventually.cs"] =
            (1, "the one poll: between two looks at a condition or two fake-clock steps, the pool gets a turn; every wait is bounded and ends on its condition"),
        ["tests/Flows.Sdk.Stores.Tests/PostgreSql/PostgreSqlOutageTests.cs"] =
            (1, "the subject: PostgreSQL stays down for 90 s of real time, as in a failover; no signal can stand in for time that must pass"),
        ["tests/Flows.Sdk.Tests/Fixtures/Limited.cs"] =
            (1, "the subject: a synchronous body that holds its slot for a while, so callers contend while the limit is measured"),
        ["tests/Flows.Sdk.ClusterHelper/ClusterFlows.cs"] =
            (1, "the subject: a task of the cluster helper that holds its slot of a shared limit for a while, so replicas contend for it"),
        ["tests/Flows.Sdk.Orchestration.Tests/Cluster/OutageTests.cs"] =
            (1, "the subject: PostgreSQL stays down for 20 s of real time while replicas work; no signal can stand in for time that must pass"),
        ["tests/Flows.Sdk.CliHelper/HelperFlows.cs"] =
            (1, "the subject: the command line's helper app has a flow that ticks for a given time, so another process can list, follow and cancel it while it runs"),
        ["tests/Flows.Sdk.Generators.Tests/Samples.cs"] =
            (2, "text of a user's program that the generator tests compile and compare with golden files; never run"),
        ["tests/Flows.Sdk.Docs.Tests/TestRulesTests.cs"] =
            (4, "this rule's own examples of what it finds, in strings; never run"),
    };

    [Test]
    public void Tests_UseNoDelayAsSynchronisation_OutsideTheListedPlaces()
    {
        var found = TestSources()
            .Select(path => (Path: path, Lines: File.ReadLines(Path.Combine(MarkdownSnippets.RepoRoot, path))
                .Select((text, index) => (Text: text, Number: index + 1))
                .Where(line => Delay().IsMatch(line.Text) && !line.Text.Contains("Timeout.Infinite", StringComparison.Ordinal))
                .ToList()))
            .Where(file => file.Lines.Count > 0)
            .ToDictionary(file => file.Path, file => file.Lines, StringComparer.Ordinal);

        var wrong = new List<string>();
        foreach (var (path, lines) in found)
        {
            var allowed = Allowed.TryGetValue(path, out var entry) ? entry.Count : 0;
            if (lines.Count != allowed)
            {
                wrong.AddRange(lines.Select(line => $"{path}:{line.Number}: {line.Text.Trim()} ({lines.Count} in the file, {allowed} allowed)"));
            }
        }

        wrong.AddRange(Allowed.Keys.Where(path => !found.ContainsKey(path)).Select(path => $"{path}: listed as allowed but has no delay any more; take it off the list"));

        Assert.That(wrong, Is.Empty, "A delay used to wait for something: wait on a signal, Eventually.Until(condition) or a fake clock instead, "
            + "or, if the delay is itself what is tested, add the file to TestRulesTests.Allowed saying why.");
    }

    [Test]
    public void TheRule_FindsADelay_InEveryFormItIsWritten()
    {
        Assert.That(Delay().IsMatch("await Task.Delay(200);"), Is.True);
        Assert.That(Delay().IsMatch("await Task.Delay(TimeSpan.FromSeconds(2), token);"), Is.True);
        Assert.That(Delay().IsMatch("await Task.WhenAny(call, Task.Delay(1));"), Is.True);
        Assert.That(Delay().IsMatch("System.Threading.Thread.Sleep(10);"), Is.True);
        Assert.That(Delay().IsMatch("await Task.Yield();"), Is.False);
    }

    /// <summary>Every C# file under tests/, relative to the repository root with '/' separators, bin/ and obj/ left out.</summary>
    private static IEnumerable<string> TestSources() =>
        Directory.EnumerateFiles(Path.Combine(MarkdownSnippets.RepoRoot, "tests"), "*.cs", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(MarkdownSnippets.RepoRoot, path).Replace('\\', '/'))
            .Where(path => !path.Contains("/bin/", StringComparison.Ordinal) && !path.Contains("/obj/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

    [GeneratedRegex(@"\b(Task\.Delay|Thread\.Sleep)\s*\(")]
    private static partial Regex Delay();
}

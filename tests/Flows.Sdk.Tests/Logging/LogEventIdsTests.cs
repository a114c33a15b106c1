using System.Reflection;
using System.Text.RegularExpressions;
using Flows.Logging;
using Microsoft.Extensions.Logging;

namespace Flows.Tests.Logging;

/// <summary>
/// The log event ids are one list per package (<see cref="LogEventIds"/>, <c>RedshiftEventIds</c>), documented in
/// docs/log-events.md: ids unique across packages, every log line on a list under the list's name, none written as
/// a literal in src/.
/// </summary>
public sealed partial class LogEventIdsTests
{
    private static readonly string RepoRoot = RepositoryRoot.Path;

    /// <summary>Each package's list, the assembly whose log lines it covers, and the range the package owns.</summary>
    private static readonly (Type List, Assembly Assembly, int First, int Last)[] Packages =
    [
        (typeof(LogEventIds), typeof(LogEventIds).Assembly, 1, 1999),
        (RedshiftList, RedshiftList.Assembly, 3000, 3999),
        (OrchestrationList, OrchestrationList.Assembly, 4000, 4999),
        (DashboardList, DashboardList.Assembly, 6000, 6999),
        (NotificationsList, NotificationsList.Assembly, 7000, 7999),
    ];

    private static Type RedshiftList =>
        typeof(Flows.Redshift.RedshiftDatabase).Assembly.GetType("Flows.Redshift.Logging.RedshiftEventIds", throwOnError: true)!;

    private static Type DashboardList =>
        typeof(Flows.Dashboard.DashboardOptions).Assembly.GetType("Flows.Dashboard.Logging.DashboardEventIds", throwOnError: true)!;

    private static Type NotificationsList =>
        typeof(Flows.Notifications.NotificationsOptions).Assembly.GetType("Flows.Notifications.Logging.NotificationEventIds", throwOnError: true)!;

    private static Type OrchestrationList =>
        typeof(Flows.Orchestration.IDeployments).Assembly.GetType("Flows.Orchestration.Logging.OrchestrationEventIds", throwOnError: true)!;

    [Test]
    public void EventIds_AreUniqueAcrossPackagesAndInsideTheirPackagesRange()
    {
        var all = Packages.SelectMany(p => Listed(p.List).Select(e => (Constant: $"{p.List.Name}.{e.Name}", e.Id, p.First, p.Last))).ToList();

        var duplicates = all.GroupBy(e => e.Id).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(e => e.Constant))}");
        var outOfRange = all.Where(e => e.Id < e.First || e.Id > e.Last).Select(e => $"{e.Constant} = {e.Id}");

        Assert.Multiple(() =>
        {
            Assert.That(duplicates, Is.Empty, "event ids used twice");
            Assert.That(outOfRange, Is.Empty, "event ids outside their package's range");
        });
    }

    [Test]
    public void EveryLogLine_HasAListedIdUnderTheListedName_AndEveryListedIdIsLogged()
    {
        foreach (var (list, assembly, _, _) in Packages)
        {
            var listed = Listed(list).ToDictionary(e => e.Id, e => e.Name);
            var lines = assembly.GetTypes()
                .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                .Select(m => (Method: $"{m.DeclaringType!.Name}.{m.Name}", Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
                .Where(m => m.Attribute is not null)
                .ToList();

            var unlisted = lines.Where(l => !listed.TryGetValue(l.Attribute!.EventId, out var name) || name != l.Attribute.EventName)
                .Select(l => $"{l.Method}: id {l.Attribute!.EventId}, name {l.Attribute.EventName ?? "(none)"}");
            var sharedIds = lines.GroupBy(l => l.Attribute!.EventId).Where(g => g.Count() > 1)
                .Select(g => $"{g.Key}: {string.Join(", ", g.Select(l => l.Method))}");
            var neverLogged = listed.Keys.Except(lines.Select(l => l.Attribute!.EventId)).Select(id => $"{list.Name}.{listed[id]}");

            Assert.Multiple(() =>
            {
                Assert.That(lines, Is.Not.Empty, $"no [LoggerMessage] found in {assembly.GetName().Name}");
                Assert.That(unlisted, Is.Empty, $"log lines whose id or name is not on {list.Name}");
                Assert.That(sharedIds, Is.Empty, "log lines sharing an id");
                Assert.That(neverLogged, Is.Empty, $"ids on {list.Name} no log line uses (retire them with a comment instead)");
            });
        }
    }

    [Test]
    public void Sources_NeverGiveAnEventIdAsANumber()
    {
        var literals = Directory.EnumerateFiles(Path.Combine(RepoRoot, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: Path.GetRelativePath(RepoRoot, f), Number: i + 1, Line: line)))
            .Where(l => NumericEventId().IsMatch(l.Line))
            .Select(l => $"{l.File}:{l.Number}: {l.Line.Trim()}");

        Assert.That(literals, Is.Empty, "event ids written as numbers: add them to the package's *EventIds list and use the constant");
    }

    [Test]
    public void TheLogEventsDocument_ListsEveryEventWithItsId()
    {
        var doc = File.ReadAllText(Path.Combine(RepoRoot, "docs", "log-events.md"));

        var missing = Packages.SelectMany(p => Listed(p.List))
            .Where(e => !doc.Contains($"| {e.Id} | `{e.Name}` |", StringComparison.Ordinal))
            .Select(e => $"| {e.Id} | `{e.Name}` |");

        Assert.That(missing, Is.Empty, "rows missing from docs/log-events.md");
    }

    private static IEnumerable<(string Name, int Id)> Listed(Type list) =>
        list.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(int))
            .Select(f => (f.Name, (int)f.GetRawConstantValue()!));

    // [LoggerMessage(101, ...)], [LoggerMessage(EventId = 101, ...)], new EventId(101...), EventId = 101.
    [GeneratedRegex(@"LoggerMessage\(\s*\d|\bEventId\s*=\s*\d|new\s+EventId\(\s*\d")]
    private static partial Regex NumericEventId();

}

using System.Text.Json;
using System.Text.RegularExpressions;
using Flows.CompilerServices;
using Flows.Dashboard.Pages.Deployments;
using Flows.Dashboard.Tests.Support;

namespace Flows.Dashboard.Tests.Rendering;

/// <summary>The run form's field for each kind of parameter type, and the browser's patterns agreeing with the engine's reading.</summary>
public sealed class ParameterFieldTests
{
    private static IReadOnlyList<ParameterField> Fields => ParameterField.Of(RunCatalog.FindFlow("dash-typed")!);

    [TestCase("region", "Text", true, null)]
    [TestCase("count", "Integer", true, null)]
    [TestCase("ratio", "Number", false, "0.5")]
    [TestCase("dryRun", "Checkbox", false, "false")]
    [TestCase("mood", "Choice", false, "Calm")]
    [TestCase("day", "Pattern", false, null)]
    [TestCase("ids", "Json", false, null)]
    public void AParameter_GetsTheFieldItsTypeCallsFor_WithTheFlowsDefault(string name, string kind, bool required, string? defaultText)
    {
        var field = Fields.Single(f => f.Name == name);

        Assert.That((field.Kind, field.Required, field.Default), Is.EqualTo((Enum.Parse<FieldKind>(kind), required, defaultText)));
    }

    [Test]
    public void SecretAndTokenParameters_AreNeverFields()
    {
        Assert.That(Fields.Select(f => f.Name), Is.EqualTo(new[] { "region", "count", "ratio", "dryRun", "mood", "day", "ids" }));
        Assert.That(ParameterField.Secrets(RunCatalog.FindFlow("dash-typed")!).Select(p => p.Name), Is.EqualTo(new[] { "token" }));
    }

    [Test]
    public void AnIntegerField_CarriesItsTypesRange_AndAnEnumItsNames()
    {
        var count = Fields.Single(f => f.Name == "count");
        var mood = Fields.Single(f => f.Name == "mood");

        Assert.That((count.Min, count.Max), Is.EqualTo(("-2147483648", "2147483647")));
        Assert.That(mood.Choices, Is.EqualTo(new[] { "Calm", "Busy" }));
    }

    /// <summary>What a pattern lets through, the engine must read: a value the browser accepts is not refused for its form.</summary>
    [TestCase(typeof(DateTime), "2026-01-05")]
    [TestCase(typeof(DateTime), "2026-01-05T06:00")]
    [TestCase(typeof(DateTimeOffset), "2026-01-05T06:00:00Z")]
    [TestCase(typeof(DateTimeOffset), "2026-01-05T06:00:00.125-05:00")]
    [TestCase(typeof(DateOnly), "2026-01-05")]
    [TestCase(typeof(TimeOnly), "06:30")]
    [TestCase(typeof(TimeOnly), "06:30:15")]
    [TestCase(typeof(TimeSpan), "01:30:00")]
    [TestCase(typeof(TimeSpan), "2.00:00:00")]
    [TestCase(typeof(Guid), "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b")]
    public void AValueItsPatternAccepts_IsReadByTheEngine(Type type, string text)
    {
        var field = ParameterField.For(new ParameterDescriptor("p", type, type.Name, HasDefault: false), null);
        var json = Flows.Orchestration.ParameterText.ToJson(type, text);

        Assert.That(field.Kind, Is.EqualTo(FieldKind.Pattern));
        Assert.That(Regex.IsMatch(text, $"^(?:{field.Pattern})$"), Is.True, "the browser anchors a pattern to the whole value");
        Assert.That(() => json.Deserialize(type, new JsonSerializerOptions(JsonSerializerDefaults.Web)), Throws.Nothing);
    }
}

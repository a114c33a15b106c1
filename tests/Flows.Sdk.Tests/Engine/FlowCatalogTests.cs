using System.Text.Json;

namespace Flows.Tests.Engine;

/// <summary>Checking a flow's parameters without running it, as a scheduler does for its deployments when it starts.</summary>
public sealed class FlowCatalogTests
{
    [Test]
    public void AKnownFlow_Exists_AnUnknownOneDoesNot()
    {
        Assert.That(FlowCatalog.Exists("by-name-sum"), Is.True);
        Assert.That(FlowCatalog.Exists("no-such-flow"), Is.False);
    }

    [Test]
    public void GoodParameters_PassTheCheck_WithoutRunningOrCreatingAnything()
    {
        var bodyRunsBefore = Fixtures.Greeter.SumBodyRuns;

        Assert.DoesNotThrow(() => FlowCatalog.CheckParameters("by-name-sum", Json(new { a = 1, b = 2 })));
        Assert.DoesNotThrow(() => FlowCatalog.CheckParameters("greet", Json(new { name = "Ada" })), "an instance flow's class is not created");
        Assert.That(Fixtures.Greeter.SumBodyRuns, Is.EqualTo(bodyRunsBefore));
    }

    [Test]
    public void AnUnknownFlow_IsNamed_WithTheKnownOnesListed()
    {
        var thrown = Assert.Throws<ArgumentException>(() => FlowCatalog.CheckParameters("voter-snyc", null));

        Assert.That(thrown!.Message, Does.Contain("No flow is named 'voter-snyc'").And.Contain("by-name-sum").And.Contain("greet"));
    }

    [TestCase("""{"b":1}""", "parameter 'a' is missing; expected int.", TestName = "A missing required parameter is named with its type")]
    [TestCase("""{"a":1,"c":2}""", "parameter 'c' is not a parameter of this flow; its parameters are: a, b, token.", TestName = "An unknown parameter is named with the flow's parameters")]
    [TestCase("""{"a":"one"}""", "parameter 'a' expected int but got \"one\" (a JSON string).", TestName = "A mistyped parameter is named with what was expected")]
    [TestCase("""{"a":1,"token":"hunter2"}""", "parameter 'token' is a [Secret] parameter", TestName = "A secret parameter is not the caller's to give")]
    public void BadParameters_FailNamingTheFlowAndParameter(string json, string expected)
    {
        var parameters = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json)!;

        var thrown = Assert.Throws<FlowParameterException>(() => FlowCatalog.CheckParameters("by-name-sum", parameters));

        Assert.That(thrown!.Message, Does.StartWith("Flow 'by-name-sum': " + expected));
        Assert.That(thrown.Message, Does.Not.Contain("hunter2"));
    }

    [Test]
    public void TheCancellationTokenParameter_IsNotTheCallersToGive()
    {
        var thrown = Assert.Throws<FlowParameterException>(() => FlowCatalog.CheckParameters("ending-waits", Json(new { cancellationToken = 1 })));

        Assert.That(thrown!.Message, Does.Contain("parameter 'cancellationToken' is not a parameter of this flow"));
    }

    private static Dictionary<string, JsonElement> Json(object parameters) =>
        JsonSerializer.SerializeToElement(parameters).EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
}

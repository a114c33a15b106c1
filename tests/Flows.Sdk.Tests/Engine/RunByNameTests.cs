using Flows.Runs;
using Flows.Testing;
using Flows.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Moq;

namespace Flows.Tests.Engine;

public sealed class RunByNameTests
{
    [Test]
    public async Task AStaticFlow_RunsByNameWithDefaultsFilledIn()
    {
        using var harness = new FlowTestHarness(o => o.Secrets["unused-token"] = "t0k3n");

        var run = await harness.RunAsync("by-name-sum", new { a = 5 });

        Assert.That(run.State, Is.EqualTo(RunState.Completed));
        Assert.That(run.Result, Is.EqualTo("20"), "5 + the default 10 + the injected secret's length 5");
        Assert.That(run.Parameters, Is.EqualTo("""{"a":5,"b":10,"token":"***"}"""));
    }

    [Test]
    public async Task AnInstanceFlow_IsCreatedWithItsDependenciesFromTheHarness()
    {
        using var harness = new FlowTestHarness();
        var greeting = new Mock<IGreeting>();
        greeting.Setup(g => g.Hello("Ada")).Returns("hello Ada");
        harness.Services.AddSingleton(greeting.Object);

        var run = await harness.RunAsync("greet", new { name = "Ada", times = 2 });

        Assert.That(run.Result, Is.EqualTo("\"hello Ada hello Ada\""));
        greeting.Verify(g => g.Hello("Ada"), Times.Once);
    }

    [Test]
    public async Task ComplexParameters_AreReadFromJson()
    {
        using var harness = new FlowTestHarness();

        var run = await harness.RunAsync("by-name-list", new { states = new[] { "OH", "PA" }, since = "2024-03-09" });

        Assert.That(run.Result, Is.EqualTo("11"));
    }

    [Test]
    public void AMissingParameter_FailsBeforeTheBodyRuns_NamingFlowParameterAndType()
    {
        using var harness = new FlowTestHarness();
        var bodyRunsBefore = Greeter.SumBodyRuns;

        var thrown = Assert.ThrowsAsync<FlowParameterException>(() => harness.RunAsync("by-name-sum", new { b = 1 }));

        Assert.That(thrown!.Message, Is.EqualTo("Flow 'by-name-sum': parameter 'a' is missing; expected int."));
        Assert.That(Greeter.SumBodyRuns, Is.EqualTo(bodyRunsBefore));
        Assert.That(harness.Store.Count, Is.Zero);
    }

    [Test]
    public void AMistypedParameter_FailsBeforeTheBodyRuns_NamingFlowParameterAndType()
    {
        using var harness = new FlowTestHarness();
        var bodyRunsBefore = Greeter.SumBodyRuns;

        var thrown = Assert.ThrowsAsync<FlowParameterException>(() => harness.RunAsync("by-name-sum", new { a = "five" }));

        Assert.That(thrown!.Message, Does.StartWith("Flow 'by-name-sum': parameter 'a' expected int but got \"five\""));
        Assert.That(thrown.FlowName, Is.EqualTo("by-name-sum"));
        Assert.That(thrown.ParameterName, Is.EqualTo("a"));
        Assert.That(Greeter.SumBodyRuns, Is.EqualTo(bodyRunsBefore));
        Assert.That(harness.Store.Count, Is.Zero);
    }

    [Test]
    public void AnUnknownParameter_IsRejected()
    {
        using var harness = new FlowTestHarness();

        var thrown = Assert.ThrowsAsync<FlowParameterException>(() => harness.RunAsync("by-name-sum", new { a = 1, c = 2 }));

        Assert.That(thrown!.Message, Does.Contain("parameter 'c' is not a parameter of this flow; its parameters are: a, b, token"));
    }

    [Test]
    public void AnUnknownFlow_IsRejectedListingTheKnownOnes()
    {
        using var harness = new FlowTestHarness();

        var thrown = Assert.ThrowsAsync<ArgumentException>(() => harness.RunAsync("no-such-flow"));

        Assert.That(thrown!.Message, Does.Contain("No flow is named 'no-such-flow'").And.Contain("by-name-sum"));
    }

    [Test]
    public async Task AFailingFlow_ReturnsItsFailedRecord()
    {
        using var harness = new FlowTestHarness();

        var run = await harness.RunAsync("hooked-fails");

        Assert.That(run.State, Is.EqualTo(RunState.Failed));
        Assert.That(run.Error, Is.EqualTo("InvalidOperationException: bad input row 7"));
    }
}

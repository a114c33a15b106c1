using System.Collections;
using System.Collections.Immutable;
using Flows.Secrets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using Serilog.Events;
using Serilog.Extensions.Logging;

namespace Flows.Tests.Secrets;

/// <summary>
/// A secret inside a structured property, whatever its shape, reaches no Serilog sink: not in the properties Serilog
/// captures (plain, destructured with <c>@</c> or stringified with <c>$</c>), not in the rendered message, not in the
/// template, not in scopes.
/// </summary>
public sealed class StructuredPropertyMaskingTests
{
    private const string Secret = "sv-Tok3n-1f9b2c";
    private const string GuidSecret = "7d1c6a52-0b7e-4d51-9a3e-2f6b8e4c1d90";
    private const string NumberSecret = "80714260553";

    private CapturingSerilogSink _sink = null!;
    private FlowEngine _engine = null!;
    private ILogger _logger = null!;

    public static IEnumerable<TestCaseData> Shapes()
    {
        foreach (var prefix in new[] { string.Empty, "@", "$" })
        {
            var shapes = new (string Name, Func<object?> Value)[]
            {
                ("StringValues", () => new StringValues(["plain", Secret])),
                ("a value tuple", () => ("user", Secret)),
                ("a nested value tuple", () => (1, ("user", Secret))),
                ("a KeyValuePair", () => new KeyValuePair<string, string>("token", Secret)),
                ("a record struct", () => new TokenStruct("etl", Secret)),
                ("a record class", () => new TokenRecord("etl", Secret)),
                ("an ImmutableArray", () => ImmutableArray.Create("plain", Secret)),
                ("a string array", () => new[] { "plain", Secret }),
                ("a Dictionary<string,string> value", () => new Dictionary<string, string> { ["token"] = Secret }),
                ("a Dictionary<string,string> key", () => new Dictionary<string, string> { [Secret] = "value" }),
                ("a Dictionary<string,object> of nested values", () => new Dictionary<string, object> { ["inner"] = new List<string[]> { new[] { Secret } } }),
                ("a HashSet", () => new HashSet<string> { Secret }),
                ("a plain IEnumerable", () => Yield("plain", Secret)),
                ("a non-generic IEnumerable", () => new ArrayList { "plain", Secret }),
                ("a plain object", () => new TokenHolder { User = "etl", Token = Secret }),
                ("an object showing it in ToString", () => new ShowsToken(Secret)),
                ("an anonymous object", () => new { Url = "https://api.example.org", Token = Secret }),
                ("a list of objects", () => new List<object> { new { Token = Secret } }),
                ("a Guid", () => Guid.Parse(GuidSecret)),
                ("a number", () => long.Parse(NumberSecret, System.Globalization.CultureInfo.InvariantCulture)),
                ("a boxed number in a tuple", () => Tuple.Create("n", long.Parse(NumberSecret, System.Globalization.CultureInfo.InvariantCulture))),
            };
            foreach (var (name, value) in shapes)
            {
                yield return new TestCaseData(prefix, value).SetArgDisplayNames(prefix + name);
            }
        }
    }

    [SetUp]
    public async Task CreateEngine()
    {
        _sink = new CapturingSerilogSink();
        var serilog = new Serilog.LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Sink(_sink).CreateLogger();
        var options = new FlowEngineOptions { LoggerFactory = new SerilogLoggerFactory(serilog, dispose: true) };
        options.Secrets.Providers.Add(new InlineSecretProvider([new("api-key", Secret), new("api-guid", GuidSecret), new("api-pin", NumberSecret)]));
        _engine = new FlowEngine(options);
        await _engine.Secrets.GetAsync("api-key");
        await _engine.Secrets.GetAsync("api-guid");
        await _engine.Secrets.GetAsync("api-pin");
        _logger = _engine.LoggerFactory.CreateLogger("shapes");
    }

    [TearDown]
    public async Task DisposeEngine()
    {
        await _engine.DisposeAsync();
        _engine.LoggerFactory.Dispose();
    }

    [TestCaseSource(nameof(Shapes))]
    public void ASecretInAStructuredProperty_ReachesNoSerilogSink(string prefix, Func<object?> value)
    {
#pragma warning disable CA2254 // The template varies on purpose: Serilog treats {@Value} and {$Value} differently.
        _logger.LogInformation("Calling with {" + prefix + "Value}", value());
#pragma warning restore CA2254

        var logEvent = _sink.Events.Single();
        Assert.That(logEvent.Properties, Contains.Key("Value"), "the property reached the sink");
        AssertShowsNoSecret(logEvent);
    }

    [TestCaseSource(nameof(Shapes))]
    public void ASecretInAScope_ReachesNoSerilogSink(string prefix, Func<object?> value)
    {
#pragma warning disable CA2254 // The template varies on purpose: Serilog treats {@Value} and {$Value} differently.
        using (_logger.BeginScope("Working with {" + prefix + "Value}", value()))
        using (_logger.BeginScope(value()!))
#pragma warning restore CA2254
        {
            _logger.LogInformation("Inside the scope");
        }

        var logEvent = _sink.Events.Single();
        Assert.That(logEvent.Properties, Contains.Key("Value"), "the scope's property reached the sink");
        AssertShowsNoSecret(logEvent);
    }

    [Test]
    public void AScopeOfNamedValues_ReachesNoSerilogSink()
    {
        using (_logger.BeginScope(new Dictionary<string, object?> { ["Token"] = Secret, ["Holder"] = new TokenHolder { Token = Secret } }))
        using (_logger.BeginScope(("Pair", (object?)Secret)))
        using (_logger.BeginScope("Plain text scope with " + Secret))
        {
            _logger.LogInformation("Inside the scope");
        }

        var logEvent = _sink.Events.Single();
        Assert.That(logEvent.Properties.Keys, Is.SupersetOf(new[] { "Token", "Holder", "Pair", "Scope" }));
        AssertShowsNoSecret(logEvent);
    }

    [Test]
    public void MaskedProperties_KeepTheirShape_ForTheSink()
    {
        _logger.LogInformation("Loaded {States} with {Headers} as {User}", new[] { "OH", Secret }, new Dictionary<string, string> { ["Authorization"] = Secret }, ("etl", Secret));

        var properties = _sink.Events.Single().Properties;
        Assert.Multiple(() =>
        {
            Assert.That(properties["States"], Is.InstanceOf<SequenceValue>());
            Assert.That(properties["States"].ToString(), Is.EqualTo("[\"OH\", \"***\"]"));
            Assert.That(properties["Headers"], Is.InstanceOf<DictionaryValue>());
            Assert.That(properties["Headers"].ToString(), Is.EqualTo("[(\"Authorization\": \"***\")]"));
            Assert.That(properties["User"].ToString(), Is.EqualTo("[\"etl\", \"***\"]"));
        });
    }

    [Test]
    public void PropertiesWithoutASecret_ReachTheSinkAsTheyWere()
    {
        var states = new[] { "OH", "PA" };
        var holder = new TokenHolder { User = "etl", Token = "not a secret" };

        _logger.LogInformation("Loaded {States} for {@Holder} in {Count}", states, holder, 2);

        var properties = _sink.Events.Single().Properties;
        Assert.That(properties["States"].ToString(), Is.EqualTo("[\"OH\", \"PA\"]"));
        Assert.That(properties["Holder"], Is.InstanceOf<StructureValue>(), "destructured by Serilog as usual");
        Assert.That(properties["Count"], Is.EqualTo(new ScalarValue(2)));
    }

    [Test]
    public void ASecretInALoggedException_ItsInnerExceptionOrItsData_ReachesNoSerilogSink()
    {
        Exception logged;
        try
        {
            throw new InvalidOperationException("outer", new AggregateException(new HttpRequestException("401 for key " + Secret)));
        }
        catch (InvalidOperationException ex)
        {
            ex.Data["Authorization"] = "Bearer " + GuidSecret;
            logged = ex;
        }

        _logger.LogError(logged, "Calling the API failed");

        var logEvent = _sink.Events.Single();
        AssertShowsNoSecret(logEvent);
        var exception = logEvent.Exception!;
        var data = string.Join("\n", exception.Data.Keys.Cast<object>().Select(k => $"{k}={exception.Data[k]}"));
        Assert.That(data + exception.Message + exception.InnerException, Does.Not.Contain(GuidSecret).And.Not.Contain(Secret), "what enrichers such as Serilog.Exceptions read");
    }

    [Test]
    public void ASecretOnlyInALoggedExceptionsData_ReachesNoSerilogSink()
    {
        var logged = new InvalidOperationException("The API refused the call");
        logged.Data["Authorization"] = "Bearer " + Secret;

        _logger.LogError(logged, "Calling the API failed");

        var exception = _sink.Events.Single().Exception!;
        var data = string.Join("\n", exception.Data.Keys.Cast<object>().Select(k => $"{k}={exception.Data[k]}"));
        Assert.That(data, Does.Not.Contain(Secret), "what enrichers such as Serilog.Exceptions read");
    }

    [Test]
    public void ASecretFormattedIntoTheTemplate_ReachesNoSerilogSink()
    {
#pragma warning disable CA2254 // The mistake under test: a secret interpolated into the template itself.
        _logger.LogInformation($"Calling with key {Secret} as {{User}}", "etl");
#pragma warning restore CA2254

        var logEvent = _sink.Events.Single();
        Assert.That(logEvent.RenderMessage(), Is.EqualTo("Calling with key *** as \"etl\""));
        AssertShowsNoSecret(logEvent);
    }

    [Test]
    public void ASecretInACyclicObjectGraph_IsMasked_WithinBounds()
    {
        var node = new Node { Token = Secret };
        node.Next = node;
        node.Items.Add(node);

        _logger.LogInformation("Graph {@Node} and {Other}", node, node);

        AssertShowsNoSecret(_sink.Events.Single());
    }

    [Test]
    public void ASecretAsTheNameOfAScopeValue_ReachesNoSerilogSink()
    {
        using (_logger.BeginScope(new Dictionary<string, object?> { [Secret] = "value", ["Plain"] = 1 }))
        {
            _logger.LogInformation("Inside the scope");
        }

        var logEvent = _sink.Events.Single();
        Assert.That(logEvent.Properties, Contains.Key("Plain"));
        AssertShowsNoSecret(logEvent);
    }

    private static void AssertShowsNoSecret(LogEvent logEvent)
    {
        var shown = CapturingSerilogSink.Show(logEvent);
        Assert.That(shown, Does.Not.Contain(Secret).And.Not.Contain(GuidSecret).And.Not.Contain(NumberSecret), shown);
    }

    private static IEnumerable<string> Yield(params string[] values)
    {
        foreach (var value in values)
        {
            yield return value;
        }
    }

    private sealed class Node
    {
        public string Token { get; init; } = string.Empty;

        public Node? Next { get; set; }

        public List<Node> Items { get; } = [];
    }

    private readonly record struct TokenStruct(string User, string Token);

    private sealed record TokenRecord(string User, string Token);

    private sealed class TokenHolder
    {
        public string User { get; init; } = string.Empty;

        public string Token { get; init; } = string.Empty;
    }

    private sealed class ShowsToken(string token)
    {
        public override string ToString() => "token " + token;
    }
}

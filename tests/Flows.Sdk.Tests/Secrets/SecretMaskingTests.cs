using System.Net;
using System.Text;
using System.Text.Json;
using System.Web;
using Flows.CompilerServices;
using Flows.Secrets;
using Flows.Secrets.Masking;
using Flows.Testing;
using Flows.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Flows.Tests.Secrets;

public sealed class SecretMaskingTests
{
    private const string Key = "van-Secret-9f3a\"quoted\\";

    [Test]
    public async Task ASecretLeakedEveryWay_AppearsInNoLogLineSinkRunRecordOrTransition()
    {
        var sink = new CapturedLog();
        using var harness = new FlowTestHarness(o => o.Secrets["secret-leak-key"] = Key);
        harness.Engine.LoggerFactory.AddProvider(sink);

        var result = await SecretUsers.Leaky("note");

        Assert.That(result, Is.EqualTo("note used " + Key), "the body gets the real value");
        var stored = new List<string>();
        stored.AddRange(harness.Logs.Select(l => l.Message));
        stored.AddRange(harness.Logs.Select(l => l.Exception ?? string.Empty));
        var runs = harness.Store.AllRuns;
        stored.AddRange(runs.Select(r => JsonSerializer.Serialize(r)));
        stored.AddRange(runs.SelectMany(r => harness.Transitions(r)).Select(t => t.Message ?? string.Empty));
        Assert.Multiple(() =>
        {
            Assert.That(harness.Logs, Has.Count.GreaterThanOrEqualTo(8), "the leaks were logged and stored");
            Assert.That(harness.Logs.Select(l => l.Message), Has.Some.EqualTo("Calling VAN with *** and ***"));
            Assert.That(runs, Has.Count.EqualTo(3), "the flow, the failed task and the subflow");
            Assert.That(stored.Where(t => t.Contains(Key, StringComparison.Ordinal)), Is.Empty, "stored text");
            Assert.That(stored.Where(t => t.Contains(JsonEncodedText.Encode(Key).Value, StringComparison.Ordinal)), Is.Empty, "stored JSON text");
            Assert.That(sink.Texts.Where(t => t.Contains(Key, StringComparison.Ordinal)), Is.Empty, "text another sink received");
            Assert.That(sink.Texts, Has.Some.Contains("VAN rejected key ***"), "the sink saw the masked exception");
        });
    }

    [Test]
    public async Task AStoredLogLine_DoesNotNameAPropertyByASecret()
    {
        using var harness = new FlowTestHarness(o => o.Secrets["secret-api-key"] = Key);

        await SecretUsers.NamedProperty();

        var line = harness.Logs.Single(l => l.Message == "headers");
        Assert.That(line.Properties!.Keys, Is.EquivalentTo(new[] { "***", "Plain" }));
    }

    [Test]
    public void Redact_ReplacesEveryKnownValue_LongestFirst()
    {
        var masker = new SecretMasker();
        masker.Add("hunter2-long");
        masker.Add("hunter2");

        var masked = masker.Redact("a hunter2-long b hunter2 c");

        Assert.That(masked, Is.EqualTo("a *** b *** c"));
    }

    [Test]
    public void Redact_WithNoSecretsKnown_ReturnsTheSameText()
    {
        var masker = new SecretMasker();
        var text = "nothing to hide";

        Assert.That(masker.Redact(text), Is.SameAs(text));
    }

    [Test]
    public void Redact_LeavesValuesShorterThanTheMinimumAlone()
    {
        var masker = new SecretMasker();
        masker.Add("abc");

        Assert.That(masker.Redact("abc abc"), Is.EqualTo("abc abc"));
    }

    [Test]
    public void Redact_MasksEachLineOfAMultiLineSecret()
    {
        var masker = new SecretMasker();
        masker.Add("-----BEGIN KEY-----\r\nMIIBOgIBAAJBAK\r\n-----END KEY-----");

        Assert.That(masker.Redact("bad line MIIBOgIBAAJBAK"), Is.EqualTo("bad line ***"));
    }

    [Test]
    public void Redact_DoesNotMaskTheIndentationOfAMultiLineSecret()
    {
        var masker = new SecretMasker();
        masker.Add("{\n  \"private_key\": \"k3y-Value-1f\",\n  \"scopes\": {\n    \"read\": true\n  },\n    \n}");

        Assert.Multiple(() =>
        {
            Assert.That(masker.Redact("    at Program.Main()\n  },"), Is.EqualTo("    at Program.Main()\n  },"), "indentation and brackets are ordinary text");
            Assert.That(masker.Redact("key: \"private_key\": \"k3y-Value-1f\","), Is.EqualTo("key: ***"));
        });
    }

    [Test]
    public async Task EngineRedact_MasksArtifactText()
    {
        using var harness = new FlowTestHarness(o => o.Secrets["secret-api-key"] = "artifact-secret-1");
        await harness.Engine.Secrets.GetAsync("secret-api-key");

        var artifact = harness.Engine.Redact("| key | artifact-secret-1 |");

        Assert.That(artifact, Is.EqualTo("| key | *** |"));
    }

    [Test]
    public async Task ACallerGivenSecretValue_IsUsedAndMasked()
    {
        using var harness = new FlowTestHarness();

        var length = await SecretUsers.EchoLength("given-by-caller");

        Assert.That(length, Is.EqualTo("given-by-caller".Length));
        Assert.That(harness.Engine.Redact("x given-by-caller"), Is.EqualTo("x ***"));
    }

    [Test]
    public async Task StoredParameters_MaskAKnownSecretPassedAsAPlainValue()
    {
        using var harness = new FlowTestHarness(o => o.Secrets["secret-api-key"] = "plain-passed-secret");
        var secret = await Flow.Secrets.GetAsync("secret-api-key");

        SecretUsers.EchoParameter(secret);

        Assert.That(harness.Runs.Single().Parameters, Is.EqualTo("""{"value":"***"}"""));
    }

    [Test]
    public async Task HostedApp_ILoggerFromDI_MasksSecretsBeforeAnySink()
    {
        var sink = new CapturedLog();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders().AddProvider(sink);
        builder.Services.AddFlows();
        builder.Services.AddSingleton<ISecretProvider>(new InlineSecretProvider([new("hosted-key", "hosted-secret-value")]));
        using var host = builder.Build();
        var engine = host.Services.GetRequiredService<FlowEngine>();
        var logger = host.Services.GetRequiredService<ILogger<SecretMaskingTests>>();

        var value = await engine.Secrets.GetAsync("hosted-key");
        logger.LogWarning(new InvalidOperationException("boom " + value), "Using {Key}", value);

        Assert.That(value, Is.EqualTo("hosted-secret-value"));
        Assert.That(sink.Texts, Has.Some.EqualTo("Using ***"));
        Assert.That(sink.Texts.Where(t => t.Contains(value, StringComparison.Ordinal)), Is.Empty);
    }

    [Test]
    public async Task Parameters_OfSecretArgumentsAreWrittenAsTheMask()
    {
        using var harness = new FlowTestHarness(o => o.Secrets["unused-token"] = "tkn-value");

        var run = await harness.RunAsync("by-name-sum", new { a = 1 });

        Assert.That(run.Parameters, Does.Contain($"\"token\":\"{ParameterWriter.Mask}\""));
    }

    [Test]
    public void AMistypedSecretArgument_IsNeverQuotedInTheError()
    {
        using var harness = new FlowTestHarness();

        var error = Assert.ThrowsAsync<FlowParameterException>(() => harness.RunAsync("by-name-sum", new { a = 1, token = new[] { "mistyped-secret-9c1e" } }));

        Assert.That(error!.ParameterName, Is.EqualTo("token"));
        Assert.That(error.Message, Does.Contain("parameter 'token'").And.Contain("string").And.Contain("a JSON array"));
        Assert.That(error.ToString(), Does.Not.Contain("mistyped-secret"));
    }

    [Test]
    public async Task AMistypedArgument_IsQuotedWithKnownSecretsMaskedBeforeItIsCut()
    {
        const string Straddling = "Pf8-straddle-3ad0";
        using var harness = new FlowTestHarness(o => o.Secrets["unused-token"] = Straddling);
        await harness.Engine.Secrets.GetAsync("unused-token");

        // As JSON the secret starts at character 71, so a cut at 77 characters would keep its first six.
        var error = Assert.ThrowsAsync<FlowParameterException>(() => harness.RunAsync("by-name-sum", new { a = new string('x', 70) + Straddling }));

        Assert.That(error!.Message, Does.Contain("parameter 'a'").And.Contain("***"));
        Assert.That(error.ToString(), Does.Not.Contain(Straddling[..5]));
    }

    [Test]
    public void Redact_MasksTheUrlEncodedFormsOfASecret()
    {
        const string Secret = "p@ss word/+&=ü!*(x)~";
        var masker = new SecretMasker();
        masker.Add(Secret);
        var forms = new[]
        {
            Uri.EscapeDataString(Secret),
            Uri.EscapeDataString(Secret).Replace("%20", "+", StringComparison.Ordinal),
            WebUtility.UrlEncode(Secret),
            HttpUtility.UrlEncode(Secret),
        };

        Assert.Multiple(() =>
        {
            foreach (var form in forms)
            {
                Assert.That(masker.Redact($"GET /api?token={form}&page=2"), Is.EqualTo("GET /api?token=***&page=2"), form);
            }
        });
    }

    [Test]
    public void Redact_MasksTheBase64FormsOfASecret_AloneAndInsideLongerBase64_AtEveryAlignment()
    {
        const string Secret = "s3cr3t>>?Value~ü"; // 17 bytes: alone, its base64 ends in a partial group and '='
        var masker = new SecretMasker();
        masker.Add(Secret);
        var secret = Encoding.UTF8.GetBytes(Secret);

        Assert.Multiple(() =>
        {
            Assert.That(masker.Redact("data " + Convert.ToBase64String(secret) + " end"), Is.EqualTo("data *** end"), "standard");
            Assert.That(masker.Redact("data " + UrlSafe(Convert.ToBase64String(secret)) + " end"), Is.EqualTo("data *** end"), "URL-safe");
            Assert.That(masker.Redact("Authorization: Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("etl:" + Secret))), Does.Contain("***"));
            for (var before = 0; before < 6; before++)
            {
                for (var after = 0; after < 4; after++)
                {
                    // The characters that depend only on the secret's bytes are masked; those that mix in a neighbour's bits
                    // stay, unless the secret ends the data on a group boundary, where its whole padded encoding shows.
                    var text = Convert.ToBase64String([.. Enumerable.Repeat((byte)0xA5, before), .. secret, .. Enumerable.Repeat((byte)0x5A, after)]);
                    var first = ((8 * before) + 5) / 6;
                    var end = 8 * (before + secret.Length) / 6;
                    var expected = after == 0 && before % 3 == 0 ? text[..first] + "***" : text[..first] + "***" + text[end..];
                    Assert.That(masker.Redact(text), Is.EqualTo(expected), $"{before} bytes before, {after} after");
                    Assert.That(masker.Redact(UrlSafe(text)), Is.EqualTo(UrlSafe(expected)), $"URL-safe, {before} bytes before, {after} after");
                }
            }
        });

        static string UrlSafe(string base64) => base64.Replace('+', '-').Replace('/', '_').TrimEnd('=');
    }

    [Test]
    public void Redact_StillMasksTheJsonEscapedFormsOfEncodedSecrets()
    {
        const string Secret = "s3cr3t>>?Value~~ü";
        var masker = new SecretMasker();
        masker.Add(Secret);

        var json = JsonSerializer.Serialize(new { token = Convert.ToBase64String(Encoding.UTF8.GetBytes(Secret)), url = "https://x/?k=" + Uri.EscapeDataString(Secret) });

        Assert.That(masker.Redact(json), Is.EqualTo("""{"token":"***","url":"https://x/?k=***"}"""));
    }
}

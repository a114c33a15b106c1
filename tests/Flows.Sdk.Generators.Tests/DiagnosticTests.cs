namespace Flows.Sdk.Generators.Tests;

/// <summary>Each diagnostic fires on a small bad source and not on its fixed version.</summary>
public sealed class DiagnosticTests
{
    [TestCase("public static void Load(ref int count) { }", TestName = "RefParameter_ReportsFLOWS1001")]
    [TestCase("public static void Load(out int count) { count = 0; }", TestName = "OutParameter_ReportsFLOWS1001")]
    [TestCase("public static void Load(in int count) { }", TestName = "InParameter_ReportsFLOWS1001")]
    [TestCase("public static T Load<T>(T value) => value;", TestName = "GenericMethod_ReportsFLOWS1001")]
    [TestCase("public static async void Load() => await Task.Yield();", TestName = "AsyncVoid_ReportsFLOWS1001")]
    [TestCase("private static void Load() { }", TestName = "PrivateMethod_ReportsFLOWS1001")]
    [TestCase("protected static void Load() { }", TestName = "ProtectedMethod_ReportsFLOWS1001")]
    [TestCase("public static void Load(Span<int> values) { }", TestName = "RefStructParameter_ReportsFLOWS1001")]
    public void UninterceptableShape_ReportsFLOWS1001(string method)
    {
        var outcome = GeneratorHarness.Run($$"""public class Jobs { [Task] {{method}} }""");

        Assert.That(outcome.DiagnosticIds, Does.Contain("FLOWS1001"));
        Assert.That(outcome.Source("Flows.Catalog.g.cs"), Is.Null, "methods with errors get no descriptor");
    }

    [Test]
    public void MethodOfGenericType_ReportsFLOWS1001()
    {
        var outcome = GeneratorHarness.Run("public class Jobs<T> { [Task] public static void Load() { } }");

        Assert.That(outcome.DiagnosticIds, Does.Contain("FLOWS1001"));
    }

    [Test]
    public void MethodOfPrivateNestedType_ReportsFLOWS1001()
    {
        var outcome = GeneratorHarness.Run("public class Outer { private class Jobs { [Task] public static void Load() { } } }");

        Assert.That(outcome.DiagnosticIds, Does.Contain("FLOWS1001"));
    }

    [Test]
    public void InternalMethodWithValueParameters_ReportsNothing()
    {
        var outcome = GeneratorHarness.Run("public class Outer { internal class Jobs { [Task] internal static int Load(int count) => count; } }");

        Assert.That(outcome.Diagnostics, Is.Empty);
    }

    [Test]
    public void SecretWithoutDefault_ReportsFLOWS1002()
    {
        var outcome = GeneratorHarness.Run("""public class Jobs { [Flow] public static void Sync([Secret("api-key")] string key) { } }""");

        Assert.That(outcome.DiagnosticIds, Is.EquivalentTo(new[] { "FLOWS1002" }));
    }

    [Test]
    public void SecretWithDefault_ReportsNothing()
    {
        var outcome = GeneratorHarness.Run("""public class Jobs { [Flow] public static void Sync([Secret("api-key")] string key = "") { } }""");

        Assert.That(outcome.Diagnostics, Is.Empty);
    }

    [TestCase("""[Secret("")] string key = "" """, TestName = "EmptySecretName_ReportsFLOWS1009")]
    [TestCase("""[Secret("  ")] string key = "" """, TestName = "BlankSecretName_ReportsFLOWS1009")]
    [TestCase("""[Secret("port")] int port = 0""", TestName = "SecretOfAnotherType_ReportsFLOWS1009")]
    public void InvalidSecret_ReportsFLOWS1009(string parameter)
    {
        var outcome = GeneratorHarness.Run($$"""public class Jobs { [Flow] public static void Sync({{parameter}}) { } }""");

        Assert.That(outcome.DiagnosticIds, Is.EquivalentTo(new[] { "FLOWS1009" }));
        Assert.That(outcome.Source("Flows.Catalog.g.cs"), Is.Null, "methods with errors get no descriptor");
    }

    [Test]
    public void SecretCredentialParameter_ReportsNothing()
    {
        var outcome = GeneratorHarness.Run("""public class Jobs { [Flow] public static void Sync([Secret("redshift")] SecretCredential? db = null) { } }""");

        Assert.That(outcome.Diagnostics, Is.Empty);
    }

    [TestCase("OnCompletion = \"Missing\"", TestName = "HookThatDoesNotExist_ReportsFLOWS1003")]
    [TestCase("OnFailure = nameof(WrongParameters)", TestName = "HookWithWrongParameters_ReportsFLOWS1003")]
    [TestCase("OnFailure = nameof(WrongReturn)", TestName = "HookWithWrongReturnType_ReportsFLOWS1003")]
    [TestCase("OnFailure = nameof(Hidden)", TestName = "PrivateHook_ReportsFLOWS1003")]
    [TestCase("OnFailure = nameof(InstanceHook)", TestName = "InstanceHookOnStaticFlow_ReportsFLOWS1003")]
    [TestCase("OnCancellation = \"Missing\"", TestName = "CancellationHookThatDoesNotExist_ReportsFLOWS1003")]
    [TestCase("OnCrashed = nameof(WrongReturn)", TestName = "CrashedHookWithWrongReturnType_ReportsFLOWS1003")]
    public void InvalidHook_ReportsFLOWS1003(string option)
    {
        var outcome = GeneratorHarness.Run(Hooks($"[Flow({option})] public static void Sync() {{ }}"));

        Assert.That(outcome.DiagnosticIds, Is.EquivalentTo(new[] { "FLOWS1003" }));
    }

    [TestCase("[Flow(OnCompletion = nameof(StaticHook), OnFailure = nameof(TaskHook))] public static void Sync() { }", TestName = "StaticHooks_ReportNothing")]
    [TestCase("[Flow(OnCompletion = nameof(InstanceHook), OnFailure = nameof(ValueTaskHook))] public void Sync() { }", TestName = "InstanceHooksOnInstanceFlow_ReportNothing")]
    [TestCase("[Task(OnCancellation = nameof(StaticHook), OnCrashed = nameof(TaskHook))] public static void Sync() { }", TestName = "CancellationAndCrashedHooks_ReportNothing")]
    public void ValidHooks_ReportNothing(string method)
    {
        var outcome = GeneratorHarness.Run(Hooks(method));

        Assert.That(outcome.Diagnostics, Is.Empty);
        Assert.That(outcome.CompilationProblems, Is.Empty);
    }

    [TestCase("var counts = new[] { 1, 2 }.Select(Double).ToList();", TestName = "TaskPassedAsMethodGroup_ReportsFLOWS1004")]
    [TestCase("Func<int, int> f = Double;", TestName = "TaskAssignedToDelegate_ReportsFLOWS1004")]
    [TestCase("Func<int, int> f = Jobs.Double;", TestName = "QualifiedTaskAssignedToDelegate_ReportsFLOWS1004")]
    public void MethodGroupUse_ReportsFLOWS1004(string statement)
    {
        var outcome = GeneratorHarness.Run($$"""public class Jobs { [Task] public static int Double(int x) => x * 2; public static void Use() { {{statement}} } }""");

        Assert.That(outcome.DiagnosticIds, Is.EquivalentTo(new[] { "FLOWS1004" }));
    }

    [Test]
    public void MethodGroupUse_SuggestsTheLambdaToWrite()
    {
        var outcome = GeneratorHarness.Run("""public class Jobs { [Task] public static int Add(int a, int b) => a + b; [Task] public static void Ping() { } public static void Use() { System.Func<int, int, int> f = Jobs.Add; System.Action g = Ping; } }""");

        Assert.That(
            outcome.Diagnostics.Select(d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)),
            Is.EquivalentTo(new[]
            {
                "'Jobs.Add(int, int)' is used as a method group or delegate, so calls through it are not recorded, retried or timed out; call it from a lambda instead: (a, b) => Jobs.Add(a, b)",
                "'Jobs.Ping()' is used as a method group or delegate, so calls through it are not recorded, retried or timed out; call it from a lambda instead: () => Ping()",
            }));
    }

    [Test]
    public void ACallOfATaskFromAnAssemblyWithoutEntryPoints_ReportsFLOWS1011_AndIsNotIntercepted()
    {
        var library = GeneratorHarness.CompileLibrary("Shared.Jobs", """namespace Shared { public static class Jobs { [Task("shared-double")] public static int Double(int x) => x * 2; } }""", withGenerator: false);

        var outcome = GeneratorHarness.Run("""public static class App { public static int Use() => Shared.Jobs.Double(21); }""", library);

        Assert.That(outcome.DiagnosticIds, Is.EquivalentTo(new[] { "FLOWS1011" }));
        Assert.That(
            outcome.Diagnostics.Single().GetMessage(System.Globalization.CultureInfo.InvariantCulture),
            Is.EqualTo("'Jobs.Double(int)' is a task of assembly 'Shared.Jobs' and this call of it is not recorded, retried or timed out: "
                + "'Shared.Jobs' has no Flows entry point for it: it was built without the Flows.Sdk generator or with another version of it; build 'Shared.Jobs' with the Flows.Sdk version this project uses"));
        Assert.That(outcome.Source("Flows.Interceptors.g.cs"), Is.Null);
        Assert.That(outcome.CompilationProblems, Is.Empty);
    }

    [Test]
    public void ACallOfATaskFromAnAssemblyWithEntryPoints_ReportsNothing()
    {
        var library = GeneratorHarness.CompileLibrary("Shared.Jobs", """namespace Shared { public static class Jobs { [Task("shared-double")] public static int Double(int x) => x * 2; } }""");

        var outcome = GeneratorHarness.Run("""public static class App { public static int Use() => Shared.Jobs.Double(21); }""", library);

        Assert.That(outcome.Diagnostics, Is.Empty);
        Assert.That(outcome.Source("Flows.Interceptors.g.cs"), Is.Not.Null);
        Assert.That(outcome.CompilationProblems, Is.Empty);
    }

    [TestCase("var counts = new[] { 1, 2 }.Select(x => Double(x)).ToList();", TestName = "TaskCalledFromLambda_ReportsNothing")]
    [TestCase("var name = nameof(Double);", TestName = "TaskInNameof_ReportsNothing")]
    public void LambdaUse_ReportsNothing(string statement)
    {
        var outcome = GeneratorHarness.Run($$"""public class Jobs { [Task] public static int Double(int x) => x * 2; public static void Use() { {{statement}} } }""");

        Assert.That(outcome.Diagnostics, Is.Empty);
    }

    [Test]
    public void DuplicateFlowNames_ReportFLOWS1005()
    {
        var outcome = GeneratorHarness.Run("""public class Jobs { [Flow("sync")] public static void A() { } [Flow("sync")] public static void B() { } }""");

        Assert.That(outcome.DiagnosticIds, Is.EqualTo(new[] { "FLOWS1005", "FLOWS1005" }));
    }

    [Test]
    public void DefaultNameCollidingWithExplicitName_ReportsFLOWS1005()
    {
        var outcome = GeneratorHarness.Run("""public class Jobs { [Task] public static void LoadRows() { } [Task("load-rows")] public static void Other() { } }""");

        Assert.That(outcome.DiagnosticIds, Does.Contain("FLOWS1005"));
    }

    [Test]
    public void TaskAndFlowSharingAName_ReportNothing()
    {
        var outcome = GeneratorHarness.Run("""public class Jobs { [Task("sync")] public static void A() { } [Flow("sync")] public static void B() { } }""");

        Assert.That(outcome.Diagnostics, Is.Empty);
    }

    [Test]
    public void MissingInterceptorsNamespace_ReportsFLOWS1006()
    {
        var outcome = GeneratorHarness.Run("public class Jobs { [Task] public static void Load() { } }", inBuildProperty: false, inFeatures: false);

        Assert.That(outcome.DiagnosticIds, Is.EquivalentTo(new[] { "FLOWS1006" }));
    }

    [TestCase(true, false, TestName = "InterceptorsNamespaceInBuildPropertyOnly_ReportsNothing")]
    [TestCase(false, true, TestName = "InterceptorsNamespaceInCompilerFeaturesOnly_ReportsNothing")]
    public void InterceptorsNamespaceListedOnce_ReportsNothing(bool inBuildProperty, bool inFeatures)
    {
        var outcome = GeneratorHarness.Run("public class Jobs { [Task] public static void Load() { } }", inBuildProperty, inFeatures);

        Assert.That(outcome.Diagnostics, Is.Empty);
    }

    [Test]
    public void MissingInterceptorsNamespaceWithoutTasks_ReportsNothing()
    {
        var outcome = GeneratorHarness.Run("public class Plain { public static void Load() { } }", inBuildProperty: false, inFeatures: false);

        Assert.That(outcome.Diagnostics, Is.Empty);
    }

    [Test]
    public void TimeoutWithoutCancellationToken_ReportsFLOWS1007()
    {
        var outcome = GeneratorHarness.Run("public class Jobs { [Task(TimeoutSeconds = 30)] public static void Load() { } }");

        Assert.That(outcome.DiagnosticIds, Is.EquivalentTo(new[] { "FLOWS1007" }));
        Assert.That(outcome.Source("Flows.Catalog.g.cs"), Is.Not.Null, "a warning does not stop generation");
    }

    [Test]
    public void TimeoutWithCancellationToken_ReportsNothing()
    {
        var outcome = GeneratorHarness.Run("public class Jobs { [Task(TimeoutSeconds = 30)] public static void Load(CancellationToken ct) { } }");

        Assert.That(outcome.Diagnostics, Is.Empty);
    }

    [TestCase("Retries = -1", TestName = "NegativeRetries_ReportsFLOWS1008")]
    [TestCase("TimeoutSeconds = -5", TestName = "NegativeTimeout_ReportsFLOWS1008")]
    [TestCase("MaxConcurrency = -2", TestName = "NegativeMaxConcurrency_ReportsFLOWS1008")]
    [TestCase("RetryJitter = 1.5", TestName = "JitterAboveOne_ReportsFLOWS1008")]
    [TestCase("RetryJitter = -0.1", TestName = "NegativeJitter_ReportsFLOWS1008")]
    [TestCase("Name = \"load rows\"", TestName = "NameWithWhitespace_ReportsFLOWS1008")]
    [TestCase("Name = \"\"", TestName = "EmptyName_ReportsFLOWS1008")]
    public void MalformedOption_ReportsFLOWS1008(string option)
    {
        var outcome = GeneratorHarness.Run($$"""public class Jobs { [Task({{option}})] public static void Load(CancellationToken ct) { } }""");

        Assert.That(outcome.DiagnosticIds, Is.EquivalentTo(new[] { "FLOWS1008" }));
    }

    [TestCase("MaxConcurrentRuns = -1", "MaxConcurrentRuns is -1; it must be zero or more", TestName = "NegativeMaxConcurrentRuns_ReportsFLOWS1008")]
    [TestCase("MaxConcurrentRuns = 1, Overlap = (OverlapPolicy)7", "Overlap is 7; it must be OverlapPolicy.Queue, OverlapPolicy.Skip or OverlapPolicy.CancelNew", TestName = "UndefinedOverlapPolicy_ReportsFLOWS1008")]
    [TestCase("MaxConcurrency = 2", "MaxConcurrency limits task runs; limit runs of a flow with MaxConcurrentRuns", TestName = "MaxConcurrencyOnAFlow_ReportsFLOWS1008")]
    public void MalformedFlowOption_ReportsFLOWS1008(string option, string problem)
    {
        var outcome = GeneratorHarness.Run($$"""public class Jobs { [Flow({{option}})] public static void Load() { } }""");

        Assert.That(outcome.DiagnosticIds, Is.EquivalentTo(new[] { "FLOWS1008" }));
        Assert.That(outcome.Diagnostics.Single().GetMessage(System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo($"'Jobs.Load()': {problem}"));
    }

    [Test]
    public void WellFormedFlowLimits_ReportNothing()
    {
        var outcome = GeneratorHarness.Run("""public class Jobs { [Flow(MaxConcurrentRuns = 2, Overlap = OverlapPolicy.CancelNew, LogPrints = true)] public static void Load() { } }""");

        Assert.That(outcome.Diagnostics, Is.Empty);
        Assert.That(outcome.CompilationProblems, Is.Empty);
    }

    [Test]
    public void WellFormedOptions_ReportNothing()
    {
        var outcome = GeneratorHarness.Run("""public class Jobs { [Task(Name = "load-rows", Retries = 2, TimeoutSeconds = 5, MaxConcurrency = 1, RetryJitter = 0.5)] public static void Load(CancellationToken ct) { } }""");

        Assert.That(outcome.Diagnostics, Is.Empty);
    }

    [Test]
    public void DiagnosticLocation_PointsAtTheMethodName()
    {
        var outcome = GeneratorHarness.Run("public class Jobs { [Task(TimeoutSeconds = 30)] public static void Load() { } }");

        Assert.That(outcome.TextAt(outcome.Diagnostics.Single()), Is.EqualTo("Load"));
    }

    [TestCase("[Task(CacheKey = \"Missing\")] public static int Load(string table, CancellationToken ct) => 0;", TestName = "CacheKeyThatDoesNotExist_ReportsFLOWS1010")]
    [TestCase("[Task(CacheKey = nameof(WrongTypes))] public static int Load(string table, CancellationToken ct) => 0;", TestName = "CacheKeyWithOtherParameterTypes_ReportsFLOWS1010")]
    [TestCase("[Task(CacheKey = nameof(WrongReturn))] public static int Load(string table, CancellationToken ct) => 0;", TestName = "CacheKeyNotReturningString_ReportsFLOWS1010")]
    [TestCase("[Task(CacheKey = nameof(InstanceKey))] public static int Load(string table, CancellationToken ct) => 0;", TestName = "InstanceCacheKeyOnStaticTask_ReportsFLOWS1010")]
    [TestCase("[Task(CacheKey = nameof(HiddenKey))] public static int Load(string table, CancellationToken ct) => 0;", TestName = "PrivateCacheKey_ReportsFLOWS1010")]
    public void InvalidCacheKey_ReportsFLOWS1010(string method)
    {
        var outcome = GeneratorHarness.Run(CacheKeys(method));

        Assert.That(outcome.DiagnosticIds, Is.EquivalentTo(new[] { "FLOWS1010" }));
    }

    [TestCase("[Task(CacheKey = nameof(StaticKey))] public static int Load(string table, CancellationToken ct) => 0;", TestName = "StaticCacheKey_ReportsNothing")]
    [TestCase("[Task(CacheKey = nameof(InstanceKey), CacheExpirationSeconds = 60)] public int Load(string table) => 0;", TestName = "InstanceCacheKeyOnInstanceTask_ReportsNothing")]
    public void ValidCacheKey_ReportsNothing(string method)
    {
        var outcome = GeneratorHarness.Run(CacheKeys(method));

        Assert.That(outcome.Diagnostics, Is.Empty);
        Assert.That(outcome.CompilationProblems, Is.Empty);
    }

    private static string CacheKeys(string method) => $$"""
        public class Jobs
        {
            {{method}}
            public static string StaticKey(string table) => table;
            public string InstanceKey(string table) => table;
            public static string WrongTypes(int table) => "";
            public static int WrongReturn(string table) => 0;
            private static string HiddenKey(string table) => table;
        }
        """;

    private static string Hooks(string method) => $$"""
        public class Jobs
        {
            {{method}}
            public static void StaticHook(RunRecord run) { }
            public static Task TaskHook() => Task.CompletedTask;
            public void InstanceHook(RunRecord run) { }
            public ValueTask ValueTaskHook(RunRecord run) => default;
            public static void WrongParameters(string text) { }
            public static int WrongReturn() => 0;
            private static void Hidden() { }
        }
        """;
}

using System;
using System.Collections.Generic;
using System.Linq;
using Flows.Sdk.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Flows.Sdk.Generators;

/// <summary>
/// Wires [Task] and [Flow] methods into the Flows runtime: a catalog of descriptors for the assembly, and
/// interceptors that route every call of those methods through <c>RunInvoker</c>.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class FlowsGenerator : IIncrementalGenerator
{
    private const string InterceptorsNamespace = "Flows.Generated";

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var tasks = context.SyntaxProvider
            .ForAttributeWithMetadataName(MethodParser.TaskAttribute, static (node, _) => true, static (c, ct) => MethodParser.Parse(c, RunKindSpec.Task, ct))
            .WithTrackingName(TrackingNames.Methods);
        var flows = context.SyntaxProvider
            .ForAttributeWithMetadataName(MethodParser.FlowAttribute, static (node, _) => true, static (c, ct) => MethodParser.Parse(c, RunKindSpec.Flow, ct))
            .WithTrackingName(TrackingNames.Methods);

        context.RegisterSourceOutput(tasks, static (spc, result) => spc.Report(result.Diagnostics));
        context.RegisterSourceOutput(flows, static (spc, result) => spc.Report(result.Diagnostics));

        var allMethods = tasks.Collect()
            .Combine(flows.Collect())
            .Select(static (pair, _) => pair.Left.AddRange(pair.Right));

        var catalog = allMethods
            .Select(static (results, _) => CatalogBuilder.Build(results))
            .WithTrackingName(TrackingNames.Catalog);

        context.RegisterSourceOutput(catalog, static (spc, catalog) =>
        {
            spc.Report(catalog.Diagnostics);
            if (catalog.Entries.Count > 0)
            {
                spc.AddSource(CatalogEmitter.FileName, CatalogEmitter.Emit(catalog));
            }
        });

        // Entry points for interceptors in other assemblies; their class is named after this assembly.
        var assemblyName = context.CompilationProvider
            .Select(static (compilation, _) => compilation.AssemblyName ?? string.Empty)
            .WithTrackingName(TrackingNames.AssemblyName);
        context.RegisterSourceOutput(catalog.Combine(assemblyName), static (spc, pair) =>
        {
            if (pair.Left.Entries.Count > 0)
            {
                spc.AddSource(EntryPointEmitter.FileName, EntryPointEmitter.Emit(pair.Left, pair.Right));
            }
        });

        var callSites = context.SyntaxProvider
            .CreateSyntaxProvider(CallSiteParser.IsCandidate, CallSiteParser.Parse)
            .Where(static site => site is not null)
            .Select(static (site, _) => site!)
            .WithTrackingName(TrackingNames.CallSites);

        context.RegisterSourceOutput(callSites, static (spc, site) =>
        {
            if (site.Diagnostic is { } diagnostic)
            {
                spc.ReportDiagnostic(diagnostic.ToDiagnostic());
            }
        });

        // Literal crons and time zones given to DeploymentBuilder.Cron (FLOWS1012).
        var scheduleCalls = context.SyntaxProvider
            .CreateSyntaxProvider(ScheduleChecker.IsCronCallCandidate, ScheduleChecker.ParseCronCall)
            .Where(static diagnostics => diagnostics.Count > 0)
            .WithTrackingName(TrackingNames.ScheduleCalls);
        context.RegisterSourceOutput(scheduleCalls, static (spc, diagnostics) => spc.Report(diagnostics));

        // The compiler honours the parse options' feature; the build property is read as well because that is
        // what the Flows.Sdk targets expose. Either listing the namespace is enough: MSBuild writes list values
        // into the analyzer config, where a ';' starts a comment and can cut the build property short.
        var interceptorsEnabled = context.ParseOptionsProvider
            .Combine(context.AnalyzerConfigOptionsProvider)
            .Select(static (pair, _) => IsInterceptorsNamespaceEnabled(pair.Left, pair.Right.GlobalOptions))
            .WithTrackingName(TrackingNames.InterceptorsEnabled);

        // Calls of another assembly's tasks need interceptors too, even in a project that declares none.
        var anyMethod = allMethods
            .Combine(callSites.Collect())
            .Select(static (pair, _) => pair.Left.Length > 0 || pair.Right.Any(static site => site.Forward is not null));
        context.RegisterSourceOutput(interceptorsEnabled.Combine(anyMethod), static (spc, pair) =>
        {
            if (!pair.Left && pair.Right)
            {
                spc.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InterceptorsNamespaceMissing, Location.None));
            }
        });

        context.RegisterSourceOutput(catalog.Combine(callSites.Collect()).Combine(interceptorsEnabled), static (spc, input) =>
        {
            var ((catalog, sites), enabled) = input;
            if (enabled && InterceptorEmitter.Emit(catalog, sites) is { } source)
            {
                spc.AddSource(InterceptorEmitter.FileName, source);
            }
        });
    }

    private static bool IsInterceptorsNamespaceEnabled(ParseOptions parseOptions, AnalyzerConfigOptions options) =>
        Lists(parseOptions.Features, "InterceptorsNamespaces")
        || Lists(parseOptions.Features, "InterceptorsPreviewNamespaces")
        || (options.TryGetValue("build_property.InterceptorsNamespaces", out var value) && Lists(value))
        || (options.TryGetValue("build_property.InterceptorsPreviewNamespaces", out value) && Lists(value));

    private static bool Lists(IReadOnlyDictionary<string, string> features, string feature) =>
        features.TryGetValue(feature, out var value) && Lists(value);

    private static bool Lists(string namespaces) =>
        namespaces.Split(';').Any(ns => string.Equals(ns.Trim(), InterceptorsNamespace, StringComparison.Ordinal));
}

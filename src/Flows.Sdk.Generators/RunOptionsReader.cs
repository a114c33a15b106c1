using System.Collections.Generic;
using System.Linq;
using Flows.Sdk.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Flows.Sdk.Generators;

/// <summary>Reads a <c>[Task]</c> / <c>[Flow]</c> attribute into <c>RunOptions</c> initialisers and validates them (FLOWS1008, FLOWS1012).</summary>
internal sealed class RunOptionsReader
{
    // RunOptions' properties in declaration order; the hooks (OnCompletion, OnFailure, ...) are not options.
    private static readonly string[] OptionOrder =
    [
        "Description", "Version", "Retries", "RetryDelaySeconds", "RetryDelaysSeconds", "Backoff", "RetryJitter",
        "RetryOn", "NoRetryOn", "TimeoutSeconds", "Tags", "MaxConcurrency", "CacheExpirationSeconds", "RefreshCache", "LogPrints",
        "Schedule", "TimeZone", "MaxConcurrentRuns", "Overlap",
    ];

    // Flows.OverlapPolicy: Queue, Skip, CancelNew.
    private const int OverlapPolicyCount = 3;

    private static readonly string[] NonNegative =
    [
        "Retries", "RetryDelaySeconds", "TimeoutSeconds", "MaxConcurrency", "CacheExpirationSeconds", "MaxConcurrentRuns",
    ];

    private readonly AttributeData _attribute;
    private readonly Dictionary<string, TypedConstant> _named;
    private readonly AttributeSyntax? _syntax;

    public RunOptionsReader(AttributeData attribute, System.Threading.CancellationToken cancellationToken)
    {
        _attribute = attribute;
        _named = attribute.NamedArguments.ToDictionary(a => a.Key, a => a.Value);
        _syntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
    }

    public string? OnCompletion => StringValue("OnCompletion");

    public string? OnFailure => StringValue("OnFailure");

    public string? OnCancellation => StringValue("OnCancellation");

    public string? OnCrashed => StringValue("OnCrashed");

    public string? CacheKey => StringValue("CacheKey");

    /// <summary>Caching is on with an expiration or a custom key; the runtime then needs the task's inputs.</summary>
    public bool Caches => CacheKey is not null || (_named.TryGetValue("CacheExpirationSeconds", out var value) && value.Value is int seconds && seconds > 0);

    public bool HasTimeout => _named.TryGetValue("TimeoutSeconds", out var value) && value.Value is double d && d > 0;

    /// <summary>The explicit name (named argument over constructor argument), or null.</summary>
    public string? ExplicitName =>
        StringValue("Name") ?? (_attribute.ConstructorArguments.Length == 1 ? _attribute.ConstructorArguments[0].Value as string : null);

    public ImmutableEquatableArray<OptionSpec> Options(string runName)
    {
        var options = new List<OptionSpec> { new("Name", CSharpLiterals.String(runName)) };
        foreach (var property in OptionOrder)
        {
            if (_named.TryGetValue(property, out var value) && !IsDefault(value))
            {
                options.Add(new OptionSpec(property, CSharpLiterals.Constant(value)));
            }
        }

        return options.ToImmutableEquatableArray();
    }

    public void Validate(string runName, string methodDisplay, List<DiagnosticInfo> diagnostics)
    {
        if (!RunNames.IsValid(runName))
        {
            Report(diagnostics, "Name", methodDisplay, $"the name \"{runName}\" is not valid; a name must be non-empty and contain no whitespace");
        }

        foreach (var property in NonNegative)
        {
            if (_named.TryGetValue(property, out var value) && System.Convert.ToDouble(value.Value, System.Globalization.CultureInfo.InvariantCulture) < 0)
            {
                Report(diagnostics, property, methodDisplay, $"{property} is {value.Value}; it must be zero or more");
            }
        }

        if (_named.TryGetValue("RetryDelaysSeconds", out var delays) && !delays.IsNull && delays.Values.Any(d => d.Value is double v && v < 0))
        {
            Report(diagnostics, "RetryDelaysSeconds", methodDisplay, "RetryDelaysSeconds has a negative delay; every delay must be zero or more");
        }

        if (_named.TryGetValue("RetryJitter", out var jitter) && jitter.Value is double j && (j < 0 || j > 1))
        {
            Report(diagnostics, "RetryJitter", methodDisplay, $"RetryJitter is {j}; it must be between 0 and 1");
        }

        if (_named.TryGetValue("Overlap", out var overlap) && overlap.Value is int o && (o < 0 || o >= OverlapPolicyCount))
        {
            Report(diagnostics, "Overlap", methodDisplay, $"Overlap is {o}; it must be OverlapPolicy.Queue, OverlapPolicy.Skip or OverlapPolicy.CancelNew");
        }

        ScheduleChecker.CheckCron(StringValue("Schedule"), $"Schedule of '{methodDisplay}'", LocationInfo.From(ArgumentSyntax("Schedule")), diagnostics);
        ScheduleChecker.CheckTimeZone(StringValue("TimeZone"), $"TimeZone of '{methodDisplay}'", LocationInfo.From(ArgumentSyntax("TimeZone")), diagnostics);

        if (_attribute.AttributeClass?.Name == "FlowAttribute" && _named.TryGetValue("MaxConcurrency", out var limit) && limit.Value is int l && l > 0)
        {
            Report(diagnostics, "MaxConcurrency", methodDisplay, "MaxConcurrency limits task runs; limit runs of a flow with MaxConcurrentRuns");
        }
    }

    private string? StringValue(string property) =>
        _named.TryGetValue(property, out var value) ? value.Value as string : null;

    private static bool IsDefault(TypedConstant value) => value.Kind switch
    {
        _ when value.IsNull => true,
        TypedConstantKind.Array => value.Values.IsEmpty,
        _ => value.Value is 0 or 0d or false,
    };

    private void Report(List<DiagnosticInfo> diagnostics, string property, string methodDisplay, string problem) =>
        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidOption, LocationInfo.From(ArgumentSyntax(property)), methodDisplay, problem));

    private SyntaxNode? ArgumentSyntax(string property)
    {
        var arguments = _syntax?.ArgumentList?.Arguments;
        if (arguments is null)
        {
            return _syntax;
        }

        var argument = arguments.Value.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == property)
            ?? (property == "Name" ? arguments.Value.FirstOrDefault(a => a.NameEquals is null) : null);
        return argument ?? (SyntaxNode?)_syntax;
    }
}

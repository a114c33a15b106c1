using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Flows.Orchestration.Scheduling;
using Flows.Sdk.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Flows.Sdk.Generators;

/// <summary>
/// Checks literal schedules at compile time (FLOWS1012) with the parser the orchestration runtime uses (the same
/// source file, linked): <c>[Flow(Schedule = ..., TimeZone = ...)]</c>, and constant arguments of
/// <c>Flows.Orchestration.DeploymentBuilder.Cron(cron, timeZone)</c>, matched by name so the generator needs no
/// reference to the orchestration assembly.
/// </summary>
internal static class ScheduleChecker
{
    private const string DeploymentBuilder = "Flows.Orchestration.DeploymentBuilder";
    private const string CronMethod = "Cron";

    // Which id styles this compiler process can resolve at all. A .NET Framework compiler (Visual Studio on
    // Windows) knows no IANA ids, and a .NET one without ICU no Windows ids: an id of a style the machine cannot
    // read is not reported, or every such build would fail for ids the production host reads fine.
    private static readonly Lazy<bool> ReadsIanaIds = new(() => Resolves("America/New_York"));
    private static readonly Lazy<bool> ReadsWindowsIds = new(() => Resolves("Eastern Standard Time"));

    /// <summary>Adds a diagnostic for a non-null <paramref name="cron"/> that is not valid crontab.</summary>
    public static void CheckCron(string? cron, string where, LocationInfo? location, List<DiagnosticInfo> diagnostics)
    {
        if (cron is not null && !CrontabSyntax.TryParse(cron, out _, out var error))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidSchedule, location, where, $"\"{cron}\" is not valid crontab: {error}"));
        }
    }

    /// <summary>Adds a diagnostic for a non-null <paramref name="zone"/> this machine does not know.</summary>
    public static void CheckTimeZone(string? zone, string where, LocationInfo? location, List<DiagnosticInfo> diagnostics)
    {
        if (zone is null || Resolves(zone))
        {
            return;
        }

        var looksIana = zone.IndexOf('/') >= 0;
        if ((looksIana && !ReadsIanaIds.Value) || (!looksIana && !ReadsWindowsIds.Value))
        {
            return;
        }

        diagnostics.Add(DiagnosticInfo.Create(
            DiagnosticDescriptors.InvalidSchedule,
            location,
            where,
            $"\"{zone}\" is not a time zone this machine knows; use an IANA id such as \"America/New_York\" or a Windows id such as \"Eastern Standard Time\""));
    }

    /// <summary>Cheap syntactic filter: an invocation of something named <c>Cron</c>.</summary>
    public static bool IsCronCallCandidate(SyntaxNode node, CancellationToken cancellationToken) =>
        node is InvocationExpressionSyntax invocation
        && invocation.Expression switch
        {
            MemberAccessExpressionSyntax access => access.Name.Identifier.ValueText == CronMethod,
            MemberBindingExpressionSyntax binding => binding.Name.Identifier.ValueText == CronMethod,
            _ => false,
        };

    /// <summary>The diagnostics of one <c>DeploymentBuilder.Cron</c> call's constant arguments; empty for anything else.</summary>
    public static ImmutableEquatableArray<DiagnosticInfo> ParseCronCall(GeneratorSyntaxContext context, CancellationToken cancellationToken)
    {
        var diagnostics = new List<DiagnosticInfo>();
        if (context.SemanticModel.GetOperation(context.Node, cancellationToken) is IInvocationOperation { TargetMethod: { Name: CronMethod } method } call
            && method.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) == "global::" + DeploymentBuilder)
        {
            foreach (var argument in call.Arguments)
            {
                if (argument.ArgumentKind == ArgumentKind.DefaultValue
                    || argument.Parameter is not { Type.SpecialType: SpecialType.System_String } parameter
                    || argument.Value.ConstantValue is not { HasValue: true, Value: string value })
                {
                    continue;
                }

                var location = LocationInfo.From(argument.Syntax);
                if (parameter.Ordinal == 0)
                {
                    CheckCron(value, "DeploymentBuilder.Cron schedule", location, diagnostics);
                }
                else if (parameter.Ordinal == 1)
                {
                    CheckTimeZone(value, "DeploymentBuilder.Cron time zone", location, diagnostics);
                }
            }
        }

        return diagnostics.ToImmutableEquatableArray();
    }

    private static bool Resolves(string zone)
    {
        try
        {
            _ = TimeZoneInfo.FindSystemTimeZoneById(zone);
            return true;
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException or System.Security.SecurityException)
        {
            return false;
        }
    }
}

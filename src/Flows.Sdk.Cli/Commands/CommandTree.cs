using System.CommandLine;

namespace Flows.Cli.Commands;

/// <summary>The verbs of the <c>flows</c> command line, in the order help lists them.</summary>
internal static class CommandTree
{
    public static IEnumerable<Command> Verbs(CommandLineHost cli)
    {
        yield return ListVerb.Create(cli);
        yield return RunVerb.Create(cli);
        yield return RunsVerb.Create(cli);
        yield return InspectVerb.Create(cli);
        yield return LogsVerb.Create(cli);
        yield return CancelVerb.Create(cli);
        yield return PruneVerb.Create(cli);
        yield return DoctorVerb.Create(cli);
        yield return RetryVerb.Create(cli);
        yield return DeploymentsVerb.Create(cli);
        yield return BackfillVerb.Create(cli);
        yield return ServeVerb.Create(cli);
        yield return DashboardVerb.Create(cli);
    }
}

using System.Globalization;
using Flows.ScriptHelper;

// Usage: Flows.Sdk.ScriptHelper interrupted <steps> | stubborn <steps> | configured
// A console script that configures nothing: its flows run on the zero-configuration engine, which records them to
// $FLOWS_HOME/flows.db.
//   interrupted: that many steps complete, then a step waits on its token; READY is printed once it waits. The test
//                then sends SIGINT or SIGTERM.
//   stubborn:    the same, but the last step ignores its token.
//   configured:  a flow whose tasks only succeed with the settings the test puts in appsettings.json, the
//                environment's appsettings.{DOTNET_ENVIRONMENT}.json and Flows__* variables.
return args[0] switch
{
    "interrupted" => await Script.Interrupted(Steps(args[1]), honourToken: true),
    "stubborn" => await Script.Interrupted(Steps(args[1]), honourToken: false),
    "configured" => await Script.Configured(),
    _ => throw new ArgumentException($"Unknown mode '{args[0]}'.", nameof(args)),
};

static int Steps(string text) => int.Parse(text, CultureInfo.InvariantCulture);

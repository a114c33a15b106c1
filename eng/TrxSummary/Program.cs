using Flows.Eng.TrxSummary;

return TrxSummaryCommand.Run(args, Console.Out, Console.Error);

namespace Flows.Eng.TrxSummary;

/// <summary>
/// <c>TrxSummary DIR</c>: sums every *.trx under DIR and writes <c>N passed, N failed[, N skipped]</c> to the output
/// as its last line, whatever happened (the counts of the files it could read). Exit code 0 when tests ran and none
/// failed; 1 when one failed, none ran, no TRX was found, or a TRX could not be read (each said on the error writer,
/// naming the file); 2 for a wrong command line.
/// </summary>
internal static class TrxSummaryCommand
{
    public static int Run(string[] args, TextWriter output, TextWriter errors)
    {
        if (args.Length != 1)
        {
            errors.WriteLine("usage: TrxSummary RESULTS_DIR   (sums the *.trx files under RESULTS_DIR)");
            return 2;
        }

        var folder = args[0];
        if (!Directory.Exists(folder))
        {
            errors.WriteLine($"ERROR: test results folder not found: {folder}");
            output.WriteLine(default(TrxTotals));
            return 1;
        }

        var files = Directory.GetFiles(folder, "*.trx", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        var totals = default(TrxTotals);
        var status = 0;
        foreach (var file in files)
        {
            try
            {
                totals += TrxFile.Read(file);
            }
            catch (InvalidDataException ex)
            {
                errors.WriteLine($"ERROR: {ex.Message}");
                status = 1;
            }
        }

        if (files.Count == 0)
        {
            errors.WriteLine($"ERROR: no TRX results found in {folder}: no test project ran");
            status = 1;
        }
        else if (totals.Passed + totals.Failed == 0)
        {
            errors.WriteLine("ERROR: no test was executed");
            status = 1;
        }

        if (totals.Failed > 0)
        {
            status = 1;
        }

        output.WriteLine(totals);
        return status;
    }
}

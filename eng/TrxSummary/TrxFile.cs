using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace Flows.Eng.TrxSummary;

/// <summary>Reads the counts of one TRX file (VSTest's <c>--logger trx</c>).</summary>
internal static class TrxFile
{
    /// <summary>
    /// The file's counts. Failed is failed + error + timeout + aborted. Skipped is whatever is neither passed nor
    /// failed: VSTest's TRX logger leaves notExecuted/inconclusive at 0 and counts NUnit's ignored and inconclusive
    /// tests only in total (not in executed); this also covers notExecuted/inconclusive should a logger fill them in.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not XML or has no usable <c>Counters</c>; the message names it.</exception>
    public static TrxTotals Read(string path)
    {
        XDocument document;
        try
        {
            document = XDocument.Load(path);
        }
        catch (XmlException ex)
        {
            throw new InvalidDataException($"{path}: not a readable TRX file ({ex.Message}); was the test run cut short?", ex);
        }

        var counters = document.Descendants().FirstOrDefault(e => e.Name.LocalName == "Counters")
            ?? throw new InvalidDataException($"{path}: no <Counters> element, so it is not a complete TRX file; was the test run cut short?");

        var total = Count(path, counters, "total");
        var passed = Count(path, counters, "passed");
        var failed = Count(path, counters, "failed") + Count(path, counters, "error") + Count(path, counters, "timeout") + Count(path, counters, "aborted");
        return new TrxTotals(passed, failed, Math.Max(0, total - passed - failed));
    }

    private static int Count(string path, XElement counters, string name)
    {
        var value = counters.Attribute(name)?.Value;
        if (value is null)
        {
            return 0;
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            ? count
            : throw new InvalidDataException($"{path}: <Counters {name}=\"{value}\"> is not a count");
    }
}

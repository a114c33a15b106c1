using System.Globalization;

namespace Flows.Eng.TrxSummary;

/// <summary>Test counts of one TRX file, or summed over several.</summary>
internal readonly record struct TrxTotals(int Passed, int Failed, int Skipped)
{
    public static TrxTotals operator +(TrxTotals left, TrxTotals right) =>
        new(left.Passed + right.Passed, left.Failed + right.Failed, left.Skipped + right.Skipped);

    /// <summary>scripts/test.sh's closing line: <c>N passed, N failed[, N skipped]</c>.</summary>
    public override string ToString() => Skipped > 0
        ? string.Create(CultureInfo.InvariantCulture, $"{Passed} passed, {Failed} failed, {Skipped} skipped")
        : string.Create(CultureInfo.InvariantCulture, $"{Passed} passed, {Failed} failed");
}

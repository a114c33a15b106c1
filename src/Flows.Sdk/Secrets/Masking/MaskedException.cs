using System.Collections;
using System.Globalization;

namespace Flows.Secrets.Masking;

/// <summary>
/// Stands in for a logged exception whose text shows a secret: its message and <see cref="ToString"/> (type, message,
/// stack and inner exceptions, as sinks print them) are the original's with secret values masked. Only the copy
/// handed to log sinks is replaced; the exception the caller catches is unchanged.
/// </summary>
internal sealed class MaskedException : Exception
{
    private readonly string _text;

    private MaskedException(Exception original, SecretMasker masker)
        : base(masker.Redact(original.Message))
    {
        _text = masker.Redact(original.ToString());
        OriginalType = original.GetType();
        HResult = original.HResult;
    }

    /// <summary>The type of the exception that was logged.</summary>
    public Type OriginalType { get; }

    /// <summary>
    /// The exception itself when neither its text nor the values of its <see cref="Exception.Data"/> (which
    /// enrichers such as Serilog.Exceptions write) show a secret, else a masked stand-in, whose Data is empty.
    /// </summary>
    public static Exception? From(Exception? exception, SecretMasker masker) =>
        exception is null || !(masker.Contains(exception.ToString()) || DataShowsSecret(exception, masker)) ? exception : new MaskedException(exception, masker);

    private static bool DataShowsSecret(Exception exception, SecretMasker masker)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            foreach (DictionaryEntry entry in e.Data)
            {
                if (masker.Contains(Convert.ToString(entry.Key, CultureInfo.InvariantCulture)) || masker.Contains(Convert.ToString(entry.Value, CultureInfo.InvariantCulture)))
                {
                    return true;
                }
            }
        }

        return false;
    }

    public override string ToString() => _text;
}

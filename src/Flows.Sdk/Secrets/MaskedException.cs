namespace Flows.Secrets;

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

    /// <summary>The exception itself when its text shows no secret, else a masked stand-in.</summary>
    public static Exception? From(Exception? exception, SecretMasker masker) =>
        exception is null || !masker.Contains(exception.ToString()) ? exception : new MaskedException(exception, masker);

    public override string ToString() => _text;
}

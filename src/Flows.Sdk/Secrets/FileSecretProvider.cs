namespace Flows.Secrets;

/// <summary>
/// Reads secrets from files in a folder, one file per secret named after it, as Docker and Kubernetes mount them:
/// <c>van-api-key</c> is read from <c>/run/secrets/van-api-key</c>. One trailing line break is removed (editors and
/// <c>echo</c> add one). A name that would reach outside the folder is never read.
/// </summary>
public sealed class FileSecretProvider : ISecretProvider
{
    /// <summary>The folder read when none is given.</summary>
    public const string DefaultPath = "/run/secrets";

    /// <summary>Reads secrets from files in <paramref name="path"/>.</summary>
    public FileSecretProvider(string path = DefaultPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Folder = Path.GetFullPath(path);
    }

    /// <summary>The folder secrets are read from.</summary>
    public string Folder { get; }

    /// <inheritdoc />
    public string Describe(string name) => $"file {FileFor(name) ?? Path.Combine(Folder, name) + " (outside the folder; not read)"}";

    /// <inheritdoc />
    public async ValueTask<string?> GetAsync(string name, CancellationToken cancellationToken)
    {
        if (FileFor(name) is not { } file || !File.Exists(file))
        {
            return null;
        }

        var text = await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false);
        text = text.EndsWith("\r\n", StringComparison.Ordinal) ? text[..^2] : text.EndsWith('\n') ? text[..^1] : text;
        return text.Length == 0 ? null : text;
    }

    private string? FileFor(string name)
    {
        var file = Path.GetFullPath(Path.Combine(Folder, name));
        return file.StartsWith(Folder + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? file : null;
    }
}

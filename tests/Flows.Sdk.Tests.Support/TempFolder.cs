namespace Flows.Tests.Support;

/// <summary>A temporary folder (for SQLite files, say) and everything in it, deleted by <see cref="Dispose"/>.</summary>
public sealed class TempFolder : IDisposable
{
    private TempFolder(string path) => Path = path;

    public string Path { get; }

    /// <summary>A new, empty folder whose name starts with <paramref name="prefix"/>.</summary>
    public static TempFolder Create(string prefix = "flows-test-") => new(Directory.CreateTempSubdirectory(prefix).FullName);

    /// <summary>The path of <paramref name="name"/> inside the folder.</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

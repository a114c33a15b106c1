namespace Flows.Tests.Support;

/// <summary>The checkout the tests run from: the folder holding Flows.sln, above the test assembly's folder.</summary>
public static class RepositoryRoot
{
    /// <summary>The full path of the folder holding Flows.sln.</summary>
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(folder.FullName, "Flows.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No Flows.sln above {AppContext.BaseDirectory}.");
    }
}

using System.Diagnostics;

namespace Flows.Sdk.Docs.Tests;

/// <summary>The commands the README tells a new user to type run as typed, from a fresh clone.</summary>
public sealed class ScriptModeTests
{
    [TestCase("scripts/test.sh")]
    [TestCase("scripts/pack.sh")]
    [TestCase(".ci/run")]
    public async Task AScriptTheReadmeRunsDirectly_IsCommittedExecutable(string script)
    {
        // The mode git records is what a clone gets; the working copy's mode could differ from it.
        var start = new ProcessStartInfo("git", ["ls-files", "--stage", "--", script])
        {
            WorkingDirectory = MarkdownSnippets.RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var git = Process.Start(start)!;
        var output = await git.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await git.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.That(output, Does.StartWith("100755 "), $"{script} is not committed executable (git ls-files --stage: '{output.Trim()}'); run: git update-index --chmod=+x {script}");
    }
}

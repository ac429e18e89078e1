using System;
using System.IO;

namespace OptDsl.Tests.Generator;

/// <summary>Where the repository's files are, found from the test's output folder.</summary>
public static class RepositoryLayout
{
    private static readonly Lazy<string> s_root = new(FindRoot);

    /// <summary>The folder holding OptDsl.sln.</summary>
    public static string Root => s_root.Value;

    public static string PathOf(string relativePath) => Path.Combine(Root, relativePath);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "OptDsl.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"OptDsl.sln was not found above {AppContext.BaseDirectory}.");
    }
}

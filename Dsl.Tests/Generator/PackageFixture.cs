using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Xml.Linq;

namespace OptDsl.Tests.Generator;

/// <summary>
/// Runs <c>dotnet pack OptDsl.sln</c> once into a temporary feed folder, for the packaging tests.
/// Release configuration, so the Debug outputs the tests run from are left alone.
/// </summary>
public sealed class PackageFixture : IDisposable
{
    public PackageFixture()
    {
        Root = Path.Combine(Path.GetTempPath(), "optdsl-package-" + Guid.NewGuid().ToString("N")[..12]);
        Feed = Path.Combine(Root, "feed");
        Directory.CreateDirectory(Feed);
        ExpectedVersion = (string?)XDocument.Load(RepositoryLayout.PathOf("Directory.Build.props")).Descendants("Version").FirstOrDefault()
            ?? throw new InvalidOperationException("Directory.Build.props has no <Version>.");

        Pack = DotnetCli.Run(
            RepositoryLayout.Root,
            ["pack", "OptDsl.sln", "-c", "Release", "-o", Feed, "-nodeReuse:false", "-p:UseSharedCompilation=false"],
            TimeSpan.FromMinutes(10));
        Packages = Directory.GetFiles(Feed, "*.nupkg").Select(Path.GetFileName).ToList()!;
    }

    /// <summary>The temporary folder holding the feed and the consumer projects; deleted afterwards.</summary>
    public string Root { get; }

    /// <summary>The folder <c>dotnet pack</c> wrote to: used as a local NuGet source.</summary>
    public string Feed { get; }

    /// <summary>The &lt;Version&gt; of Directory.Build.props.</summary>
    public string ExpectedVersion { get; }

    public ProcessResult Pack { get; }

    /// <summary>The file names of the packages produced.</summary>
    public IReadOnlyList<string> Packages { get; }

    public string OptDslPackagePath => Path.Combine(Feed, $"OptDsl.{ExpectedVersion}.nupkg");

    /// <summary>The entries of the OptDsl package, with '/' separators.</summary>
    public IReadOnlyList<string> Entries()
    {
        using var zip = ZipFile.OpenRead(OptDslPackagePath);
        return [.. zip.Entries.Select(entry => entry.FullName)];
    }

    public byte[] ReadBytes(string name)
    {
        using var zip = ZipFile.OpenRead(OptDslPackagePath);
        var entry = zip.GetEntry(name) ?? throw new FileNotFoundException($"{name} is not in {OptDslPackagePath}");
        using var stream = entry.Open();
        using var bytes = new MemoryStream();
        stream.CopyTo(bytes);
        return bytes.ToArray();
    }

    public string ReadEntry(string name)
    {
        using var zip = ZipFile.OpenRead(OptDslPackagePath);
        var entry = zip.GetEntry(name) ?? throw new FileNotFoundException($"{name} is not in {OptDslPackagePath}");
        using var reader = new StreamReader(entry.Open());
        return reader.ReadToEnd();
    }

    public void Dispose()
    {
        if (Environment.GetEnvironmentVariable("OPTDSL_KEEP_TEMP") != "1")
        {
            try
            {
                Directory.Delete(Root, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}

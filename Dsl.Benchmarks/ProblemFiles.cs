using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace OptDsl.Benchmarks;

/// <summary>The Problems/*.opt files, embedded in this assembly so the compiler benchmarks find them wherever they run.</summary>
public static class ProblemFiles
{
    private const string Prefix = "Problems/";

    /// <summary>The file names (e.g. <c>rosenbrock.opt</c>), sorted.</summary>
    public static IEnumerable<string> Names =>
        typeof(ProblemFiles).Assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(Prefix, StringComparison.Ordinal))
            .Select(name => name.Substring(Prefix.Length))
            .OrderBy(name => name, StringComparer.Ordinal);

    /// <summary>The text of one file.</summary>
    public static string Read(string name)
    {
        using var stream = typeof(ProblemFiles).Assembly.GetManifestResourceStream(Prefix + name)
            ?? throw new FileNotFoundException($"No embedded .opt file named {name}.", name);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace OptDsl.Tests.Generator;

/// <summary>A valid <c>.opt</c> program from <c>Generator/Seeds/</c>.</summary>
public sealed record SeedFile(string Name, string Text)
{
    public override string ToString() => Name;
}

/// <summary>
/// Realistic, valid <c>.opt</c> programs covering the language contract (problem blocks with data, lets,
/// bounds, constraints, Pareto fronts; model and tune blocks). The mutation tests corrupt them.
/// </summary>
public static class SeedFiles
{
    private static readonly Lazy<IReadOnlyList<SeedFile>> s_all = new(Load);

    public static IReadOnlyList<SeedFile> All => s_all.Value;

    public static SeedFile Get(string name) => All.Single(seed => seed.Name == name);

    /// <summary>For [MemberData]: one row per seed file name.</summary>
    public static IEnumerable<object[]> Names => All.Select(seed => new object[] { seed.Name });

    private static IReadOnlyList<SeedFile> Load()
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "Generator", "Seeds");
        var seeds = Directory.GetFiles(directory, "*.opt")
            .OrderBy(path => path, StringComparer.Ordinal)
            .Select(path => new SeedFile(Path.GetFileName(path), File.ReadAllText(path).Replace("\r\n", "\n")))
            .ToList();
        return seeds.Count > 0 ? seeds : throw new InvalidOperationException($"No seed .opt files in {directory}.");
    }
}

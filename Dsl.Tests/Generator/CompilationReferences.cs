using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using OptDsl.Runtime;

namespace OptDsl.Tests.Generator;

/// <summary>
/// The metadata references of a consumer project: the .NET 10 shared framework this test runs on
/// (from the host's TRUSTED_PLATFORM_ASSEMBLIES) plus OptDsl.Runtime and the packages it depends on.
/// Built once: reading ~200 assemblies is the slow part of making a compilation.
/// </summary>
public static class CompilationReferences
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> s_consumer = new(Create);

    /// <summary>Framework + OptDsl.Runtime (+ its non-framework dependencies such as System.Numerics.Tensors).</summary>
    public static ImmutableArray<MetadataReference> Consumer => s_consumer.Value;

    private static ImmutableArray<MetadataReference> Create()
    {
        var trusted = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        var frameworkDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var byName = trusted
            .GroupBy(path => Path.GetFileNameWithoutExtension(path), StringComparer.OrdinalIgnoreCase)
            .ToDictionary(group => group.Key, group => group.First(), StringComparer.OrdinalIgnoreCase);

        var paths = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var path in trusted)
        {
            if (string.Equals(Path.GetDirectoryName(path), frameworkDirectory, StringComparison.Ordinal))
            {
                paths.Add(path);
            }
        }

        var runtime = typeof(SolveResult).Assembly;
        paths.Add(runtime.Location);
        foreach (var dependency in runtime.GetReferencedAssemblies())
        {
            if (dependency.Name is { } name && byName.TryGetValue(name, out var path))
            {
                paths.Add(path);
            }
        }

        return [.. paths.Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))];
    }
}

using System;
using Microsoft.CodeAnalysis.Diagnostics;

namespace OptDsl.Generators;

/// <summary>
/// The MSBuild properties the generator reads (made visible by <c>build/OptDsl.props</c>).
/// Empty values are normalized to null.
/// </summary>
internal sealed class GeneratorSettings : IEquatable<GeneratorSettings>
{
    public const string RootNamespaceProperty = "build_property.RootNamespace";
    public const string ProjectDirProperty = "build_property.ProjectDir";
    public const string ReuseGeneratedFilesProperty = "build_property.OptDslReuseGeneratedFiles";

    public GeneratorSettings(string? rootNamespace, string? projectDir, bool reuseGeneratedFiles = false)
    {
        RootNamespace = rootNamespace;
        ProjectDir = projectDir;
        ReuseGeneratedFiles = reuseGeneratedFiles;
    }

    /// <summary>The namespace of generated classes when a file has no <c>namespace</c> line.</summary>
    public string? RootNamespace { get; }

    /// <summary>The project's folder; file paths under it are shown relative to it in generated code.</summary>
    public string? ProjectDir { get; }

    /// <summary>Stamp generated files and reuse an earlier build's, for an unchanged file (see <see cref="GeneratedFileReuse"/>).</summary>
    public bool ReuseGeneratedFiles { get; }

    public static GeneratorSettings From(AnalyzerConfigOptions globalOptions) =>
        new(Read(globalOptions, RootNamespaceProperty), Read(globalOptions, ProjectDirProperty),
            string.Equals(Read(globalOptions, ReuseGeneratedFilesProperty), "true", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The path written into generated code: relative to the project folder (with '/' separators) when the
    /// file is inside it, so the generated text does not depend on where the repository is cloned.
    /// </summary>
    public string DisplayPathOf(string path)
    {
        var normalized = path.Replace('\\', '/');
        if (ProjectDir is { } projectDir)
        {
            var root = projectDir.Replace('\\', '/');
            if (!root.EndsWith("/", StringComparison.Ordinal))
            {
                root += "/";
            }

            if (normalized.Length > root.Length && normalized.StartsWith(root, StringComparison.OrdinalIgnoreCase))
            {
                return normalized.Substring(root.Length);
            }
        }

        return normalized;
    }

    private static string? Read(AnalyzerConfigOptions options, string key) =>
        options.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    public bool Equals(GeneratorSettings? other) =>
        other is not null
        && string.Equals(RootNamespace, other.RootNamespace, StringComparison.Ordinal)
        && string.Equals(ProjectDir, other.ProjectDir, StringComparison.Ordinal)
        && ReuseGeneratedFiles == other.ReuseGeneratedFiles;

    public override bool Equals(object? obj) => Equals(obj as GeneratorSettings);

    public override int GetHashCode() => unchecked(((RootNamespace?.GetHashCode() ?? 0) * 397) ^ (ProjectDir?.GetHashCode() ?? 0));
}

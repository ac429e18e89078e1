using System;
using OptDsl.Compiler;

namespace OptDsl.Generators;

/// <summary>What one <c>.opt</c> file compiled to: the cached model of the generator's last step.</summary>
internal sealed class OptFileResult : IEquatable<OptFileResult>
{
    public OptFileResult(string path, string displayPath, CompileOutput output, string? reuseKey = null)
    {
        Path = path;
        DisplayPath = displayPath;
        Output = output;
        ReuseKey = reuseKey;
    }

    /// <summary>The file's path as the build knows it: diagnostics are reported there.</summary>
    public string Path { get; }

    /// <summary>The path given to the compiler (project-relative when possible); see <see cref="GeneratorSettings.DisplayPathOf"/>.</summary>
    public string DisplayPath { get; }

    public CompileOutput Output { get; }

    /// <summary>The key the generated files are stamped with (<see cref="GeneratedFileReuse"/>); null: not stamped.</summary>
    public string? ReuseKey { get; }

    /// <summary>Where a diagnostic of this file is reported: the compiler names the file by its display path, the build by its full path.</summary>
    public string LocationPathOf(OptDiagnostic diagnostic) =>
        string.IsNullOrEmpty(diagnostic.Path) || string.Equals(diagnostic.Path, DisplayPath, StringComparison.Ordinal) ? Path : diagnostic.Path;

    public bool Equals(OptFileResult? other) =>
        other is not null
        && string.Equals(Path, other.Path, StringComparison.Ordinal)
        && string.Equals(DisplayPath, other.DisplayPath, StringComparison.Ordinal)
        && string.Equals(ReuseKey, other.ReuseKey, StringComparison.Ordinal)
        && Equals(Output, other.Output);

    public override bool Equals(object? obj) => Equals(obj as OptFileResult);

    public override int GetHashCode() => unchecked((StringComparer.Ordinal.GetHashCode(Path) * 397) ^ (Output?.GetHashCode() ?? 0));
}

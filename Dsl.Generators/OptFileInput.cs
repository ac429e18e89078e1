using System;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace OptDsl.Generators;

/// <summary>
/// The content of one <c>.opt</c> additional file: a plain value, so the steps after it are cached
/// as long as the text does not change. <see cref="Text"/> is null when the file could not be read.
/// (The generator's input; the compiler's syntax tree of a file is a different type, <c>OptDsl.Compiler.Syntax.OptFile</c>.)
/// </summary>
internal sealed class OptFileInput : IEquatable<OptFileInput>
{
    public OptFileInput(string path, string? text)
    {
        Path = path;
        Text = text;
    }

    /// <summary>The file's path as MSBuild gave it to the compiler (absolute in a normal build).</summary>
    public string Path { get; }

    public string? Text { get; }

    public static bool IsOptPath(string path) => path.EndsWith(".opt", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads an additional file if it is an <c>.opt</c> file; null otherwise (the text of other files is never read).</summary>
    public static OptFileInput? TryRead(AdditionalText file, CancellationToken cancellationToken)
    {
        if (!IsOptPath(file.Path))
        {
            return null;
        }

        var text = file.GetText(cancellationToken);
        return new OptFileInput(file.Path, text?.ToString());
    }

    public bool Equals(OptFileInput? other) =>
        other is not null && string.Equals(Path, other.Path, StringComparison.Ordinal) && string.Equals(Text, other.Text, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as OptFileInput);

    public override int GetHashCode() => unchecked((StringComparer.Ordinal.GetHashCode(Path) * 397) ^ (Text is null ? 0 : StringComparer.Ordinal.GetHashCode(Text)));
}

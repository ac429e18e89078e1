using System;

namespace OptDsl.Compiler;

public enum DiagnosticLevel
{
    Info,
    Warning,
    Error,
}

/// <summary>A place in a <c>.opt</c> file. Lines and columns are zero-based (as Roslyn's LinePosition); Start and Length are character offsets.</summary>
public readonly record struct SourceSpan(int Start, int Length, int Line, int Column, int EndLine, int EndColumn)
{
    public static SourceSpan None => default;

    /// <summary>The smallest span that covers both.</summary>
    public SourceSpan To(SourceSpan end) =>
        end.Start + end.Length <= Start ? this : new SourceSpan(Start, end.Start + end.Length - Start, Line, Column, end.EndLine, end.EndColumn);

    /// <summary>"line:column", one-based, as a user reads it.</summary>
    public override string ToString() => $"{Line + 1}:{Column + 1}";
}

/// <summary>A diagnostic about a <c>.opt</c> file: a plain value, so it can be cached by the incremental generator.</summary>
public sealed record OptDiagnostic(string Id, DiagnosticLevel Level, string Message, string Path, SourceSpan Span)
{
    public override string ToString() => $"{Path}({Span.Line + 1},{Span.Column + 1}): {Level.ToString().ToLowerInvariant()} {Id}: {Message}";
}

/// <summary>A diagnostic kind: stable id, title, message format and default level.</summary>
public sealed record DiagnosticDescriptor(string Id, string Title, string MessageFormat, DiagnosticLevel Level)
{
    public OptDiagnostic Create(string path, SourceSpan span, params object[] args) =>
        new(Id, Level, args.Length == 0 ? MessageFormat : string.Format(System.Globalization.CultureInfo.InvariantCulture, MessageFormat, args), path, span);
}

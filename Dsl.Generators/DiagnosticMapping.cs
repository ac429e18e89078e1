using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using OptDsl.Compiler;
using RoslynDescriptor = Microsoft.CodeAnalysis.DiagnosticDescriptor;

namespace OptDsl.Generators;

/// <summary>Turns the compiler's <see cref="OptDiagnostic"/> values into Roslyn diagnostics at the <c>.opt</c> file's location.</summary>
internal static class DiagnosticMapping
{
    public const string Category = "OptDsl";

    public const string HelpLinkBase = "https://github.com/optdsl/optdsl/blob/main/docs/diagnostics.md#";

    private static readonly Dictionary<string, RoslynDescriptor> s_descriptors =
        Descriptors.All.ToDictionary(static d => d.Id, static d => CreateDescriptor(d.Id, d.Title, d.Level));

    /// <summary>The Roslyn descriptor of a catalog id (one per id); ids outside the catalog get one made on the spot.</summary>
    public static RoslynDescriptor DescriptorFor(string id, DiagnosticLevel level) =>
        s_descriptors.TryGetValue(id, out var descriptor) ? descriptor : CreateDescriptor(id, id, level);

    public static DiagnosticSeverity ToSeverity(DiagnosticLevel level) => level switch
    {
        DiagnosticLevel.Info => DiagnosticSeverity.Info,
        DiagnosticLevel.Warning => DiagnosticSeverity.Warning,
        _ => DiagnosticSeverity.Error,
    };

    /// <summary>The Roslyn diagnostic for <paramref name="diagnostic"/>, located in the file at <paramref name="path"/>.</summary>
    public static Diagnostic ToDiagnostic(OptDiagnostic diagnostic, string path) =>
        Diagnostic.Create(
            DescriptorFor(diagnostic.Id, diagnostic.Level),
            ToLocation(path, diagnostic.Span),
            ToSeverity(diagnostic.Level),
            additionalLocations: null,
            properties: null,
            messageArgs: diagnostic.Message);

    /// <summary>
    /// A location in a file outside the C# compilation. Roslyn throws on negative positions or an end
    /// before the start, so a malformed span is clamped rather than allowed to fail the generator.
    /// </summary>
    public static Location ToLocation(string path, SourceSpan span)
    {
        var start = span.Start < 0 ? 0 : span.Start;
        var length = span.Length < 0 ? 0 : span.Length;
        if (length > int.MaxValue - start)
        {
            length = int.MaxValue - start;
        }

        var begin = new LinePosition(span.Line < 0 ? 0 : span.Line, span.Column < 0 ? 0 : span.Column);
        var end = span.EndLine < 0 || span.EndColumn < 0 ? begin : new LinePosition(span.EndLine, span.EndColumn);
        if (end < begin)
        {
            end = begin;
        }

        return Location.Create(path, new TextSpan(start, length), new LinePositionSpan(begin, end));
    }

    private static RoslynDescriptor CreateDescriptor(string id, string title, DiagnosticLevel level) =>
        new(
            id,
            title,
            "{0}",
            Category,
            ToSeverity(level),
            isEnabledByDefault: true,
            helpLinkUri: HelpLinkBase + id.ToLowerInvariant());
}

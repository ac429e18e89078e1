using System;
using System.Collections.Generic;
using System.Linq;
using OptDsl.Compiler.Ir;
using OptDsl.Compiler.Syntax;

namespace OptDsl.Compiler.Semantics;

/// <summary>
/// What the binders of one block share: the file (for diagnostics and source text), the diagnostics, and the symbol
/// table of the block's declarations as they are bound.
/// </summary>
internal sealed class BindingContext(string path, string text, List<OptDiagnostic> diagnostics)
{
    public string Path { get; } = path;
    public string Text { get; } = text;
    public List<OptDiagnostic> Diagnostics { get; } = diagnostics;

    /// <summary>Every declared name and its declaration (the first, when duplicated).</summary>
    public Dictionary<string, MemberSyntax> Declared { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, DimSymbol> Dims { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, DataSymbol> Data { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, ParamSymbol> Params { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, VarSymbol> Vars { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, LetSyntax> Lets { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, ObjectiveSyntax> Objectives { get; } = new(StringComparer.Ordinal);

    /// <summary>Declarations whose binding has started (bound, failed, or in progress): a use of any other is too early.</summary>
    public HashSet<string> Bound { get; } = new(StringComparer.Ordinal);

    /// <summary>Non-differentiable functions used, for the solver check.</summary>
    public List<(string Function, SourceSpan Span)> NonSmooth { get; } = new();

    /// <summary>Indices whose range depends on runtime dims: the constructor checks each.</summary>
    public List<IndexCheck> IndexChecks { get; } = new();

    /// <summary>The let or named objective each value was lowered from (the first, when several lower to one node).</summary>
    public Dictionary<Expr, ValueName> ValueNames { get; } = new();

    public void NameValue(Expr value, ValueName name)
    {
        if (!value.IsConst && !ValueNames.ContainsKey(value)) ValueNames[value] = name;
    }

    public void Report(DiagnosticDescriptor d, SourceSpan span, params object[] args) => Diagnostics.Add(d.Create(Path, span, args));

    public string TextOf(SourceSpan span) =>
        span.Start >= 0 && span.Start + span.Length <= Text.Length ? Text.Substring(span.Start, span.Length) : "";
}

using System;
using System.Collections.Generic;
using System.Linq;
using OptDsl.Compiler.Ir;

namespace OptDsl.Compiler.Semantics;

/// <summary>The meaning of an expression during lowering: a scalar IR node, or an array whose elements are IR nodes.</summary>
internal abstract class Value
{
    public abstract IReadOnlyList<IntExpr> Shape { get; }
    public bool IsScalar => Shape.Count == 0;
}

internal sealed class ScalarValue(Expr expr) : Value
{
    public Expr Expr { get; } = expr;
    public override IReadOnlyList<IntExpr> Shape => Array.Empty<IntExpr>();
}

/// <summary>
/// An array, zero-based on every axis. <see cref="At"/> gives the element at the given indices; depth is the number of
/// loop binders alive at the use site, so reductions created inside (matrix-vector products) get distinct loop levels.
/// </summary>
internal sealed class ArrayValue : Value
{
    private readonly Func<IReadOnlyList<IntExpr>, int, Expr> _at;
    private readonly Dictionary<(EquatableArray<IntExpr>, int), Expr> _elements = new();

    public ArrayValue(IReadOnlyList<IntExpr> shape, Func<IReadOnlyList<IntExpr>, int, Expr> at)
    {
        Shape = shape;
        _at = at;
    }

    public override IReadOnlyList<IntExpr> Shape { get; }

    /// <summary>
    /// The element at the given indices, for a use at the given loop depth. Computed once per (indices, depth): an array
    /// built from another array used twice (<c>let b = a + a; let c = b * b;</c>) would otherwise cost 2ⁿ element builds.
    /// </summary>
    public Expr At(IReadOnlyList<IntExpr> indices, int depth)
    {
        var key = (new EquatableArray<IntExpr>(indices), depth);
        if (_elements.TryGetValue(key, out var known)) return known;
        // Reductions inside the element bind below the loops open at the use site only if a scalar lowered further out was
        // placed into it: move them above (Expr.Rebase), so no index of theirs is confused with an open loop's.
        var element = _at(indices, depth).Rebase(depth);
        _elements[key] = element;
        return element;
    }
}

/// <summary>An expression that already produced a diagnostic; everything built on it is skipped silently.</summary>
internal sealed class ErrorValue : Value
{
    public static readonly ErrorValue Instance = new();
    public override IReadOnlyList<IntExpr> Shape => Array.Empty<IntExpr>();
}

/// <summary>Names bound by enclosing reductions, forall and let indices; and how many loop binders are alive.</summary>
internal sealed class Scope
{
    private readonly Dictionary<string, IntExpr> _indices;
    public int Depth { get; }

    private Scope(Dictionary<string, IntExpr> indices, int depth)
    {
        _indices = indices;
        Depth = depth;
    }

    public static Scope Root(int depth = 0) => new(new Dictionary<string, IntExpr>(StringComparer.Ordinal), depth);

    public bool TryGet(string name, out IntExpr value) => _indices.TryGetValue(name, out value!);

    public Scope With(string name, IntExpr value, bool isLoop)
    {
        var copy = new Dictionary<string, IntExpr>(_indices, StringComparer.Ordinal) { [name] = value };
        return new Scope(copy, isLoop ? Depth + 1 : Depth);
    }

    public IEnumerable<string> Names => _indices.Keys;
}

internal static class Shapes
{
    public static string Describe(IReadOnlyList<IntExpr> shape) => shape.Count == 0 ? "scalar" : "[" + string.Join(", ", shape.Select(s => s.ToString())) + "]";

    public static bool Same(IReadOnlyList<IntExpr> a, IReadOnlyList<IntExpr> b) =>
        a.Count == b.Count && a.Zip(b, (x, y) => x.Equals(y)).All(t => t);
}

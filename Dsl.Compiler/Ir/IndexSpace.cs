using System.Collections.Generic;
using System.Linq;

namespace OptDsl.Compiler.Ir;

/// <summary>
/// A row-major index space placed at an offset: the elements of an array (axes 0..extent), or a family of rows, one
/// per iteration of its loops (a constraint's <c>forall</c>, the loops of a block of residuals). It is the one place
/// that turns indices into a flat position and loops into a count.
/// </summary>
public sealed record IndexSpace
{
    /// <summary>One axis: positions <see cref="Lower"/> .. <see cref="Lower"/> + <see cref="Extent"/>, counted as <see cref="Count"/>.</summary>
    /// <param name="Extent">The stride factor of the axis in the row-major layout.</param>
    /// <param name="Count">The number of positions: the extent, clamped at 0 for a range that may be reversed.</param>
    public sealed record Axis(IntExpr Lower, IntExpr Extent, IntExpr Count);

    private IndexSpace(EquatableArray<Axis> axes, EquatableArray<IndexVar> loops, IntExpr offset)
    {
        Axes = axes;
        Loops = loops;
        Offset = offset;
    }

    public EquatableArray<Axis> Axes { get; }

    /// <summary>The loops of a family of rows, outermost first (empty for the elements of an array).</summary>
    public EquatableArray<IndexVar> Loops { get; }

    /// <summary>The flat position of the first element or row.</summary>
    public IntExpr Offset { get; }

    /// <summary>The elements of an array of <paramref name="shape"/>, from <paramref name="offset"/> (0 by default).</summary>
    public static IndexSpace OfShape(IReadOnlyList<IntExpr> shape, IntExpr? offset = null) =>
        new(new EquatableArray<Axis>(shape.Select(extent => new Axis(IntExpr.Const(0), extent, extent))), EquatableArray<IndexVar>.Empty, offset ?? IntExpr.Const(0));

    /// <summary>One row per iteration of <paramref name="loops"/> (row-major, the first loop outermost), from <paramref name="offset"/>.</summary>
    public static IndexSpace OverLoops(IReadOnlyList<IndexVar> loops, IntExpr offset) =>
        new(new EquatableArray<Axis>(loops.Select(iv => new Axis(iv.Lower, IntExpr.Sub(iv.Upper, iv.Lower), IntExpr.Count(iv.Lower, iv.Upper)))),
            new EquatableArray<IndexVar>(loops), offset);

    /// <summary>The number of elements or rows (throws <see cref="System.OverflowException"/> past a 64-bit count).</summary>
    public IntExpr Count => Axes.Aggregate(IntExpr.Const(1), (acc, axis) => IntExpr.Mul(acc, axis.Count));

    /// <summary>The flat position of the element or row at <paramref name="indices"/>, one per axis.</summary>
    public IntExpr Flatten(IReadOnlyList<IntExpr> indices)
    {
        IntExpr flat = IntExpr.Const(0);
        for (int k = 0; k < indices.Count; k++) flat = IntExpr.Add(IntExpr.Mul(flat, Axes[k].Extent), IntExpr.Sub(indices[k], Axes[k].Lower));
        return IntExpr.Add(Offset, flat);
    }

    /// <summary>The row of a family inside its own loops.</summary>
    public IntExpr Row => Flatten(Loops.Select(iv => (IntExpr)new IntIndex(iv)).ToList());
}

using System.Collections.Generic;
using System.Linq;
using OptDsl.Compiler.Ir;
using OptDsl.Compiler.Syntax;

namespace OptDsl.Compiler.Semantics;

// Index ranges: an index that leaves its axis reads another element of a row-major array without any exception
// (A[0, i + 1] at the last column is A[1, 0]). Every index that runs over loops is checked over the whole range of those
// loops: at build time when the sizes are constants (OPT0023), else by the constructor once the dims are known.
internal sealed partial class ExpressionBinder
{
    private readonly Dictionary<string, IReadOnlyList<(IntExpr Lo, IntExpr Hi)>?> _letRanges = new(System.StringComparer.Ordinal);
    private readonly HashSet<(IntExpr, IntExpr, IntExpr)> _checkedIndices = new();

    /// <summary>
    /// Checks that <paramref name="index"/> stays in <c>[lo, hi)</c> for every value of the loops it uses. Returns false
    /// (reported) when it provably leaves it; a check that depends on runtime dims goes to the constructor.
    /// </summary>
    private bool CheckIndexRange(IntExpr index, IntExpr lo, IntExpr hi, string target, int axis, SourceSpan span)
    {
        if (index.IsConstant) return true; // constant indices are checked where they are lowered
        if (!_checkedIndices.Add((index, lo, hi))) return true;
        if (IndexInterval(index) is not var (min, max)) return true; // not affine in independent loops: see docs/language.md

        // The loops the index runs over: the check only applies when none of them is empty.
        var loops = index.FreeIndices().ToList();
        var counts = loops.Select(v => IntExpr.Sub(v.Upper, v.Lower)).ToList();
        if (counts.Any(c => c is IntConst { Value: <= 0 })) return true;

        // Both must be ≥ 0; compared in canonical form, so (n - 1) - (n - 2) is the constant 1.
        if (IntExpr.Difference(min, lo) is not { } belowLow || IntExpr.Difference(IntExpr.Sub(hi, IntExpr.Const(1)), max) is not { } aboveHigh) return true;
        string text = TextOf(span);
        // Out of range by a constant amount: wrong whenever the loops run, whatever the dims.
        if (belowLow is IntConst { Value: < 0 } || aboveHigh is IntConst { Value: < 0 })
        {
            var bad = belowLow is IntConst { Value: < 0 } ? min : max;
            Report(Descriptors.IndexOutOfRange, span,
                $"Index '{text}' of '{target}' reaches {Describe(bad)} over its loops, outside {Describe(lo)}..{Describe(hi)} on axis {axis}");
            return false;
        }
        if (belowLow.IsProvablyNonNegative && aboveHigh.IsProvablyNonNegative) return true;
        _c.IndexChecks.Add(new IndexCheck(counts, min, max, lo, hi, !belowLow.IsProvablyNonNegative, !aboveHigh.IsProvablyNonNegative,
            $"{target}[...] index '{text}' on axis {axis}", span.Line + 1));
        return true;
    }

    private static string Describe(IntExpr e) => e.ToString()!;

    /// <summary>
    /// The smallest and largest value of an integer expression over the ranges of its loops, as integer expressions of
    /// dims; null when it is not affine in loops with independent ranges (then no check is made).
    /// </summary>
    private static (IntExpr Min, IntExpr Max)? IndexInterval(IntExpr e)
    {
        switch (e)
        {
            case IntConst or IntDim:
                return (e, e);
            case IntIndex { Var: var v }:
                if (v.Lower.FreeIndices().Any() || v.Upper.FreeIndices().Any()) return null;
                return (v.Lower, IntExpr.Sub(v.Upper, IntExpr.Const(1)));
            case IntBinary { Op: '+' } b when IndexInterval(b.Left) is var (lmin, lmax) && IndexInterval(b.Right) is var (rmin, rmax):
                return (IntExpr.Add(lmin, rmin), IntExpr.Add(lmax, rmax));
            case IntBinary { Op: '-' } b when IndexInterval(b.Left) is var (lmin, lmax) && IndexInterval(b.Right) is var (rmin, rmax):
                return (IntExpr.Sub(lmin, rmax), IntExpr.Sub(lmax, rmin));
            case IntBinary { Op: '*' } b:
            {
                // A factor free of loops scales the other's interval: a constant of either sign, or a dim (never negative).
                var (scale, other) = !b.Left.FreeIndices().Any() ? (b.Left, b.Right) : !b.Right.FreeIndices().Any() ? (b.Right, b.Left) : (null, null);
                if (scale is null || other is null || IndexInterval(other) is not var (min, max)) return null;
                if (scale is IntConst { Value: < 0 }) return (IntExpr.Mul(scale, max), IntExpr.Mul(scale, min));
                if (scale.IsProvablyNonNegative) return (IntExpr.Mul(scale, min), IntExpr.Mul(scale, max));
                return null;
            }
            default:
                return null;
        }
    }
}

/// <summary>
/// A runtime check of an index over its loops: when every loop count is positive, Min ≥ Lo and Max ≤ Hi − 1. Emitted in
/// the constructor, where the dims are known.
/// </summary>
public sealed record IndexCheck(IReadOnlyList<IntExpr> LoopCounts, IntExpr Min, IntExpr Max, IntExpr Lo, IntExpr Hi, bool CheckLow, bool CheckHigh, string What, int Line);

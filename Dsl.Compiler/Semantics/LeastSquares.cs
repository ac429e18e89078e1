using System;
using System.Collections.Generic;
using System.Linq;
using OptDsl.Compiler.Ir;

namespace OptDsl.Compiler.Semantics;

/// <summary>
/// Recognizes objectives of the form Σ_blocks w·Σ_loops r² (w a positive constant or 1/size) and returns the residuals
/// √w·r, so Levenberg–Marquardt can work on r and its symbolic Jacobian while f = Σ r² stays the same function.
/// </summary>
internal static class LeastSquares
{
    public static IReadOnlyList<ResidualBlock>? Decompose(Expr objective)
    {
        var blocks = new List<ResidualBlock>();
        IntExpr offset = new IntConst(0);
        foreach (var term in Terms(objective))
        {
            if (!term.HasVar) return null; // a constant offset changes f; keep it exact by refusing
            var block = Block(term, Expr.One, new List<IndexVar>());
            if (block is null) return null;
            var rows = IndexSpace.OverLoops(block.Value.Loops, offset);
            blocks.Add(new ResidualBlock(block.Value.Residual, rows));
            offset = IntExpr.Add(offset, rows.Count);
        }
        return blocks.Count == 0 ? null : blocks;
    }

    /// <summary>The terms of a chain of additions, left to right (iteratively: chains can be 10⁵ terms long).</summary>
    private static List<Expr> Terms(Expr e)
    {
        var terms = new List<Expr>();
        var stack = new Stack<Expr>();
        stack.Push(e);
        while (stack.Count > 0)
        {
            var t = stack.Pop();
            if (t.Kind == ExprKind.Add)
            {
                stack.Push(t.Args[1]);
                stack.Push(t.Args[0]);
            }
            else
            {
                terms.Add(t);
            }
        }
        return terms;
    }

    private static (IReadOnlyList<IndexVar> Loops, Expr Residual)? Block(Expr e, Expr weight, List<IndexVar> loops)
    {
        switch (e.Kind)
        {
            case ExprKind.Pow when e.Args[1].IsConstValue(2):
                var r = weight.IsConstValue(1) ? e.Args[0] : Expr.Mul(Expr.Call(Func.Sqrt, weight), e.Args[0]);
                return (loops, r);
            case ExprKind.Sum when loops.Count == 0 || loops[^1].Level < e.Bound!.Level:
                // Nested sums only over independent ranges (a triangular range still counts rows correctly, but keep it simple).
                if (e.Bound!.Lower.FreeIndices().Any() || e.Bound.Upper.FreeIndices().Any()) return null;
                return Block(e.Args[0], weight, [.. loops, e.Bound]);
            case ExprKind.Mul when IsPositiveWeight(e.Args[0]) && !e.Args[1].Free.Except(loops).Any():
                return Block(e.Args[1], Expr.Mul(weight, e.Args[0]), loops);
            case ExprKind.Div when IsPositiveWeight(e.Args[1]):
                return Block(e.Args[0], Expr.Div(weight, e.Args[1]), loops);
            default:
                return null;
        }
    }

    /// <summary>Weights known positive at compile time: positive constants and sizes (a mean's 1/m).</summary>
    private static bool IsPositiveWeight(Expr w) => w.Kind switch
    {
        ExprKind.Const => w.Value > 0 && !double.IsInfinity(w.Value),
        ExprKind.IndexValue => w.Free.Count == 0,
        ExprKind.Div or ExprKind.Mul => IsPositiveWeight(w.Args[0]) && IsPositiveWeight(w.Args[1]),
        _ => false,
    };
}

using System;
using System.Collections.Generic;
using System.Linq;
using OptDsl.Compiler.Ir;

namespace OptDsl.Compiler.Derivatives;

/// <summary>
/// One contribution to a gradient: for every value of its free index variables (each over its range),
/// <c>∂[Variable][Indices] += Value</c>.
/// </summary>
public sealed record GradientTerm(string Variable, IReadOnlyList<IntExpr> Indices, Expr Value)
{
    /// <summary>The loops this term runs in: the free index variables of its value and indices, outermost first.</summary>
    public IReadOnlyList<IndexVar> Loops { get; } =
        Value.Free.Concat(Indices.SelectMany(i => i.FreeIndices())).Distinct().OrderBy(v => v.Level).ToList();
}

/// <summary>
/// Reverse accumulation done symbolically at compile time: adjoints are IR expressions, accumulated over the DAG in
/// reverse topological order, so a shared subexpression is differentiated once (the cheap-gradient principle).
/// Reductions stay loops: the adjoint of a sum's body is the sum's adjoint; a contribution from inside a loop to a
/// node that does not depend on the loop index becomes a sum over that index.
/// </summary>
public static class ReverseAccumulator
{
    /// <summary>The gradient of <paramref name="root"/> with respect to every decision variable.</summary>
    /// <param name="root">A scalar expression; its own free index variables (a constraint family's <c>forall</c>) are kept, not summed.</param>
    public static IReadOnlyList<GradientTerm> Gradient(Expr root)
    {
        if (!root.HasVar) return Array.Empty<GradientTerm>();
        var rootFree = new HashSet<IndexVar>(root.Free);
        var adjoints = new Dictionary<Expr, Expr> { [root] = Expr.One };
        var terms = new List<GradientTerm>();

        void Push(Expr child, Expr contribution)
        {
            if (!child.HasVar || contribution.IsConstValue(0)) return;
            // Contributions made inside a loop to a node outside it add up over the loop...
            var outer = contribution.Free.Where(v => !child.Free.Contains(v) && !rootFree.Contains(v)).ToList();
            var remaining = contribution.Free.Except(outer).Union(child.Free).ToList();
            bool rangesAllowIt = !remaining.Any(u => u.Lower.FreeIndices().Concat(u.Upper.FreeIndices()).Any(outer.Contains));
            bool loopIsInner = outer.All(v => child.Free.All(c => c.Level < v.Level));
            if (!rangesAllowIt || !loopIsInner)
            {
                // ...unless that would nest the loop inside the node's own loops: for w[j] in Σ_i r_i(Σ_j A[i,j] w[j])
                // a sum over i per j recomputes every r_i. Then (as for a range that depends on the loop, as in
                // sum(j in 0..i)) the contribution flows on through the node with its loops: the scatter stays in
                // the loop over i, where r_i is computed once.
                Propagate(child, contribution);
                return;
            }
            foreach (var v in outer.OrderByDescending(v => v.Level)) contribution = Expr.Sum(v, contribution);
            adjoints[child] = adjoints.TryGetValue(child, out var existing) ? Expr.Add(existing, contribution) : contribution;
        }

        void Propagate(Expr node, Expr a)
        {
            var args = node.Args;
            switch (node.Kind)
            {
                case ExprKind.Var:
                    terms.Add(new GradientTerm(node.Symbol!, node.Indices, a));
                    break;
                case ExprKind.Add:
                    Push(args[0], a);
                    Push(args[1], a);
                    break;
                case ExprKind.Sub:
                    Push(args[0], a);
                    Push(args[1], Expr.Neg(a));
                    break;
                case ExprKind.Neg:
                    Push(args[0], Expr.Neg(a));
                    break;
                case ExprKind.Mul:
                    Push(args[0], Expr.Mul(a, args[1]));
                    Push(args[1], Expr.Mul(a, args[0]));
                    break;
                case ExprKind.Div:
                    Push(args[0], Expr.Div(a, args[1]));
                    Push(args[1], Expr.Neg(Expr.Div(Expr.Mul(a, node), args[1])));
                    break;
                case ExprKind.Pow:
                    Push(args[0], Expr.Mul(a, Rules.PowBaseDerivative(node)));
                    if (args[1].HasVar) Push(args[1], Expr.Mul(a, Expr.Mul(node, Expr.Call(Func.Log, args[0]))));
                    break;
                case ExprKind.Min:
                case ExprKind.Max:
                {
                    // min(u, w) = u where u <= w (ties go to u); max(u, w) = u where u >= w.
                    var firstWins = node.Kind == ExprKind.Min ? Expr.Sub(args[1], args[0]) : Expr.Sub(args[0], args[1]);
                    Push(args[0], Expr.Select(firstWins, Comparison.GreaterOrEqual, a, Expr.Zero));
                    Push(args[1], Expr.Select(firstWins, Comparison.GreaterOrEqual, Expr.Zero, a));
                    break;
                }
                case ExprKind.Call:
                    Push(args[0], Expr.Mul(a, Rules.CallDerivative(node)));
                    break;
                case ExprKind.Select:
                    Push(args[1], Expr.Select(args[0], node.Comparison, a, Expr.Zero));
                    Push(args[2], Expr.Select(args[0], node.Comparison, Expr.Zero, a));
                    break;
                case ExprKind.Sum:
                    Push(args[0], a);
                    break;
                case ExprKind.Prod:
                    Push(args[0], Expr.Mul(a, Rules.ProductOfOthers(node)));
                    break;
                // MaxReduce only shifts logsumexp; its derivative is zero by construction.
            }
        }

        foreach (var node in TopologicalOrder(root))
        {
            if (adjoints.TryGetValue(node, out var a)) Propagate(node, a);
        }
        return terms;
    }

    /// <summary>Every node reachable from <paramref name="root"/> (into reduction bodies too), parents before children.</summary>
    public static List<Expr> TopologicalOrder(Expr root)
    {
        var seen = new HashSet<Expr>();
        var stack = new Stack<Expr>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var e = stack.Pop();
            if (!seen.Add(e)) continue;
            foreach (var a in e.Args) stack.Push(a);
        }
        // Children are always interned before their parents, so ids give a topological order.
        return seen.OrderByDescending(e => e.Id).ToList();
    }
}

/// <summary>Forward-mode directional derivatives: T(e) = ∇e · v, with v the direction vector (IR <c>Dir</c> nodes).</summary>
public sealed class TangentBuilder
{
    private readonly Dictionary<Expr, Expr> _memo = new();

    public Expr Tangent(Expr e)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        if (!e.HasVar) return Expr.Zero;
        if (_memo.TryGetValue(e, out var t)) return t;
        var args = e.Args;
        t = e.Kind switch
        {
            ExprKind.Var => Expr.Dir(e.Symbol!, e.Indices),
            ExprKind.Add => Expr.Add(Tangent(args[0]), Tangent(args[1])),
            ExprKind.Sub => Expr.Sub(Tangent(args[0]), Tangent(args[1])),
            ExprKind.Neg => Expr.Neg(Tangent(args[0])),
            ExprKind.Mul => Expr.Add(Expr.Mul(Tangent(args[0]), args[1]), Expr.Mul(args[0], Tangent(args[1]))),
            ExprKind.Div => Expr.Div(Expr.Sub(Tangent(args[0]), Expr.Mul(e, Tangent(args[1]))), args[1]),
            ExprKind.Pow => Expr.Add(
                Expr.Mul(Rules.PowBaseDerivative(e), Tangent(args[0])),
                args[1].HasVar ? Expr.Mul(Expr.Mul(e, Expr.Call(Func.Log, args[0])), Tangent(args[1])) : Expr.Zero),
            ExprKind.Min => Expr.Select(Expr.Sub(args[1], args[0]), Comparison.GreaterOrEqual, Tangent(args[0]), Tangent(args[1])),
            ExprKind.Max => Expr.Select(Expr.Sub(args[0], args[1]), Comparison.GreaterOrEqual, Tangent(args[0]), Tangent(args[1])),
            ExprKind.Call => Expr.Mul(Rules.CallDerivative(e), Tangent(args[0])),
            ExprKind.Select => Expr.Select(args[0], e.Comparison, Tangent(args[1]), Tangent(args[2])),
            ExprKind.Sum => Expr.Sum(e.Bound!, Tangent(args[0])),
            ExprKind.Prod => Expr.Sum(e.Bound!, Expr.Mul(Tangent(args[0]), Rules.ProductOfOthers(e))),
            _ => Expr.Zero,
        };
        _memo[e] = t;
        return t;
    }
}

/// <summary>Local derivative rules shared by both modes.</summary>
internal static class Rules
{
    /// <summary>∂(u^w)/∂u.</summary>
    public static Expr PowBaseDerivative(Expr pow)
    {
        var (u, w) = (pow.Args[0], pow.Args[1]);
        if (w.IsConst) return Expr.Mul(w, Expr.Pow(u, Expr.Const(w.Value - 1)));
        return Expr.Mul(w, Expr.Pow(u, Expr.Sub(w, Expr.One)));
    }

    /// <summary>f'(u) for <c>f(u)</c>, reusing the node's own value where the derivative is a function of it.</summary>
    public static Expr CallDerivative(Expr call)
    {
        var u = call.Args[0];
        return call.Func switch
        {
            Func.Exp => call,
            Func.Log => Expr.Div(Expr.One, u),
            Func.Log1p => Expr.Div(Expr.One, Expr.Add(Expr.One, u)),
            Func.Sqrt => Expr.Div(Expr.Const(0.5), call),
            Func.Sin => Expr.Call(Func.Cos, u),
            Func.Cos => Expr.Neg(Expr.Call(Func.Sin, u)),
            Func.Tan => Expr.Add(Expr.One, Expr.Pow(call, Expr.Const(2))),
            Func.Atan => Expr.Div(Expr.One, Expr.Add(Expr.One, Expr.Pow(u, Expr.Const(2)))),
            Func.Tanh => Expr.Sub(Expr.One, Expr.Pow(call, Expr.Const(2))),
            Func.Sigmoid => Expr.Mul(call, Expr.Sub(Expr.One, call)),
            Func.Softplus => Expr.Call(Func.Sigmoid, u),
            Func.Abs => Expr.Call(Func.Sign, u),
            Func.Relu => Expr.Call(Func.Step, u),
            Func.Sign or Func.Step => Expr.Zero,
            _ => throw new ArgumentOutOfRangeException(nameof(call)),
        };
    }

    /// <summary>For <c>prod(i) b(i)</c>: the product of every factor but the i-th, with no division (exact at zeros).</summary>
    public static Expr ProductOfOthers(Expr prod)
    {
        var i = prod.Bound!;
        var j = new IndexVar(i.Name + "_other", i.Lower, i.Upper, prod.Args[0].Free.Max(v => v.Level) + 1);
        var bodyAtJ = prod.Args[0].Substitute(new Dictionary<IndexVar, IntExpr> { [i] = new IntIndex(j) });
        var isSame = Expr.IndexValue(IntExpr.Sub(new IntIndex(j), new IntIndex(i)));
        return Expr.Prod(j, Expr.Select(isSame, Comparison.Equal, Expr.One, bodyAtJ));
    }
}

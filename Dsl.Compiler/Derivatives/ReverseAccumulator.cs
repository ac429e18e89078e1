using System;
using System.Collections.Generic;
using System.Linq;
using OptDsl.Compiler.Ir;

namespace OptDsl.Compiler.Derivatives;

/// <summary>
/// One contribution to a gradient: for every value of the index variables in <see cref="Loops"/> (each over its
/// range), <c>∂[Variable][Indices] += Value</c>.
/// </summary>
public sealed record GradientTerm
{
    public GradientTerm(string variable, IReadOnlyList<IntExpr> indices, Expr value, IEnumerable<IndexVar>? context = null)
    {
        Variable = variable;
        Indices = indices;
        Value = value;
        Loops = IndexClosure.Of((context ?? []).Concat(value.Free).Concat(indices.SelectMany(i => i.FreeIndices())));
    }

    public string Variable { get; }
    public IReadOnlyList<IntExpr> Indices { get; }
    public Expr Value { get; }

    /// <summary>
    /// The loops this term runs in, outermost first: the free index variables of its value and indices, the loops of
    /// the expression it was differentiated in (a term that does not mention a loop's index still runs once per
    /// iteration), and the loops those loops' ranges depend on.
    /// </summary>
    public IReadOnlyList<IndexVar> Loops { get; }
}

/// <summary>
/// Reverse accumulation done symbolically at compile time: adjoints are IR expressions, accumulated over the DAG in
/// reverse topological order, so a shared subexpression is differentiated once (the cheap-gradient principle).
/// Reductions stay loops: the adjoint of a sum's body is the sum's adjoint.
/// <para>
/// Every contribution carries its <em>context</em>: the loops in which it is computed (the free indices of the node it
/// comes from, closed under range dependencies). A contribution to a node that does not depend on some of those loops
/// adds up over them, even when the contribution's own expression does not mention their indices: in
/// <c>sum(i in 0..4) (r(i)^2 + 0.5*w^2)</c> the term <c>0.5*w^2</c> receives 1 from each of the 5 iterations.
/// </para>
/// </summary>
public static class ReverseAccumulator
{
    /// <summary>The gradient of <paramref name="root"/> with respect to every decision variable.</summary>
    /// <param name="root">A scalar expression; its own free index variables (a constraint family's <c>forall</c>) are kept, not summed.</param>
    public static IReadOnlyList<GradientTerm> Gradient(Expr root)
    {
        if (!root.HasVar) return Array.Empty<GradientTerm>();
        var rootFree = IndexClosure.Of(root.Free);
        var adjoints = new Dictionary<Expr, Expr> { [root] = Expr.One };
        var terms = new List<GradientTerm>();

        // Where a node's own value lives: its free indices and the loops their ranges need, plus the root's loops.
        IReadOnlyList<IndexVar> Home(Expr node) =>
            node.Free.Count == 0 && rootFree.Count == 0 ? Array.Empty<IndexVar>() : IndexClosure.Of(node.Free.Concat(rootFree));

        void AddAdjoint(Expr child, Expr contribution) =>
            adjoints[child] = adjoints.TryGetValue(child, out var existing) ? Expr.Add(existing, contribution) : contribution;

        void Push(Expr child, Expr contribution, IReadOnlyList<IndexVar> context)
        {
            if (!child.HasVar || contribution.IsConstValue(0)) return;
            if (context.Count == 0 && contribution.Free.Count == 0)
            {
                AddAdjoint(child, contribution); // outside every loop: nothing to add up over
                return;
            }
            var home = Home(child);
            // Loops the contribution is made in but the child's value does not vary over: it adds up over them...
            var outer = IndexClosure.Of(context.Concat(contribution.Free)).Where(v => !home.Contains(v)).ToList();
            bool loopIsInner = outer.All(v => child.Free.All(c => c.Level < v.Level));
            if (outer.Count > 0 && !loopIsInner)
            {
                // ...unless that would nest the loop inside the node's own loops: for w[j] in Σ_i r_i(Σ_j A[i,j] w[j])
                // a sum over i per j recomputes every r_i. Then the contribution flows on through the node within its
                // context: the scatter stays in the loop over i, where r_i is computed once.
                Propagate(child, contribution, IndexClosure.Of(context.Concat(contribution.Free).Concat(home)));
                return;
            }
            // Innermost first, so a range that depends on an outer index is summed while that index is still free.
            foreach (var v in outer.OrderByDescending(v => v.Level)) contribution = Expr.Sum(v, contribution);
            AddAdjoint(child, contribution);
        }

        void Propagate(Expr node, Expr a, IReadOnlyList<IndexVar> context)
        {
            var args = node.Args;
            switch (node.Kind)
            {
                case ExprKind.Var:
                    terms.Add(new GradientTerm(node.Symbol!, node.Indices, a, context));
                    break;
                case ExprKind.Add:
                    Push(args[0], a, context);
                    Push(args[1], a, context);
                    break;
                case ExprKind.Sub:
                    Push(args[0], a, context);
                    Push(args[1], Expr.Neg(a), context);
                    break;
                case ExprKind.Neg:
                    Push(args[0], Expr.Neg(a), context);
                    break;
                case ExprKind.Mul:
                    Push(args[0], Expr.Mul(a, args[1]), context);
                    Push(args[1], Expr.Mul(a, args[0]), context);
                    break;
                case ExprKind.Div:
                    Push(args[0], Expr.Div(a, args[1]), context);
                    Push(args[1], Expr.Neg(Expr.Div(Expr.Mul(a, node), args[1])), context);
                    break;
                case ExprKind.Pow when Rules.PowerOfSqrt(node) is { } radicand:
                    // sqrt(w)^k: straight to w, exact where sqrt'(w) alone would be infinite (sqrt(x)^2 at x = 0).
                    Push(radicand, Expr.Mul(a, Rules.PowerOfSqrtDerivative(node)), context);
                    break;
                case ExprKind.Pow:
                    Push(args[0], Expr.Mul(a, Rules.PowBaseDerivative(node)), context);
                    if (args[1].HasVar) Push(args[1], Expr.Mul(a, Rules.PowExponentDerivative(node)), context);
                    break;
                case ExprKind.Min:
                case ExprKind.Max:
                {
                    // min(u, w) = u where u <= w (ties go to u); max(u, w) = u where u >= w.
                    var firstWins = node.Kind == ExprKind.Min ? Expr.Sub(args[1], args[0]) : Expr.Sub(args[0], args[1]);
                    Push(args[0], Expr.Select(firstWins, Comparison.GreaterOrEqual, a, Expr.Zero), context);
                    Push(args[1], Expr.Select(firstWins, Comparison.GreaterOrEqual, Expr.Zero, a), context);
                    break;
                }
                case ExprKind.Call:
                    Push(args[0], Expr.Mul(a, Rules.CallDerivative(node)), context);
                    break;
                case ExprKind.Select:
                    Push(args[1], Expr.Select(args[0], node.Comparison, a, Expr.Zero), context);
                    Push(args[2], Expr.Select(args[0], node.Comparison, Expr.Zero, a), context);
                    break;
                case ExprKind.Sum:
                    // The body runs once per iteration: its context gains the bound index.
                    Push(args[0], a, IndexClosure.Of(context.Concat(args[0].Free)));
                    break;
                case ExprKind.Prod:
                    Push(args[0], Expr.Mul(a, Rules.ProductOfOthers(node)), IndexClosure.Of(context.Concat(args[0].Free)));
                    break;
                // MaxReduce only shifts logsumexp; its derivative is zero by construction.
            }
        }

        foreach (var node in ExprGraph.TopologicalOrder(root))
        {
            CompilerCancellation.Check();
            if (adjoints.TryGetValue(node, out var a)) Propagate(node, a, Home(node));
        }
        return terms;
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
            ExprKind.Pow when Rules.PowerOfSqrt(e) is { } radicand => Expr.Mul(Rules.PowerOfSqrtDerivative(e), Tangent(radicand)),
            ExprKind.Pow => Expr.Add(
                Expr.Mul(Rules.PowBaseDerivative(e), Tangent(args[0])),
                args[1].HasVar ? Expr.Mul(Rules.PowExponentDerivative(e), Tangent(args[1])) : Expr.Zero),
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

    /// <summary>w when <paramref name="pow"/> is <c>sqrt(w)^k</c> with a constant k, else null.</summary>
    public static Expr? PowerOfSqrt(Expr pow) =>
        pow.Args[0] is { Kind: ExprKind.Call, Func: Func.Sqrt } root && pow.Args[1].IsConst ? root.Args[0] : null;

    /// <summary>d(sqrt(w)^k)/dw = (k/2)·sqrt(w)^(k−2): finite at w = 0 for k ≥ 2, where the chain through sqrt is 0·∞.</summary>
    public static Expr PowerOfSqrtDerivative(Expr pow)
    {
        double k = pow.Args[1].Value;
        return Expr.Mul(Expr.Const(k / 2), Expr.Pow(pow.Args[0], Expr.Const(k - 2)));
    }

    /// <summary>∂(u^w)/∂w = u^w·log u, taken as 0 where u = 0 (u^w is then 0 on a whole neighbourhood of w &gt; 0).</summary>
    public static Expr PowExponentDerivative(Expr pow)
    {
        var u = pow.Args[0];
        return Expr.Select(u, Comparison.Equal, Expr.Zero, Expr.Mul(pow, Expr.Call(Func.Log, Guarded(u, Comparison.Equal, u, Expr.One))));
    }

    /// <summary>
    /// <c>condition (cmp) 0 ? replacement : e</c>: an argument kept away from the point where a function of it is infinite,
    /// for a branch a Select does not take. Derivatives flow through both branches of a Select (the untaken one with a zero
    /// adjoint), and 0 · ∞ would still be NaN; with the argument replaced there, every factor stays finite (the "double
    /// where" of automatic differentiation).
    /// </summary>
    public static Expr Guarded(Expr condition, Comparison cmp, Expr e, Expr replacement) => Expr.Select(condition, cmp, replacement, e);

    /// <summary>f'(u) for <c>f(u)</c>: the rule of the function's entry in <see cref="ElementaryFunctions"/>.</summary>
    public static Expr CallDerivative(Expr call) => ElementaryFunctions.Of(call.Func).Derivative(call);

    /// <summary>For <c>prod(i) b(i)</c>: the product of every factor but the i-th, with no division (exact at zeros).</summary>
    public static Expr ProductOfOthers(Expr prod)
    {
        var i = prod.Bound!;
        // j runs inside every loop the body's value depends on; reductions inside the body then bind above j.
        var j = new IndexVar(i.Name + "_other", i.Lower, i.Upper, prod.Args[0].Free.Max(v => v.Level) + 1);
        var bodyAtJ = prod.Args[0].Substitute(new Dictionary<IndexVar, IntExpr> { [i] = new IntIndex(j) }).Rebase(j.Level + 1);
        var isSame = Expr.IndexValue(IntExpr.Sub(new IntIndex(j), new IntIndex(i)));
        return Expr.Prod(j, Expr.Select(isSame, Comparison.Equal, Expr.One, bodyAtJ));
    }
}

using System.Collections.Generic;
using System.Linq;
using OptDsl.Compiler.Ir;
using OptDsl.Compiler.Semantics;

namespace OptDsl.Compiler.Derivatives;

/// <summary>
/// A scalar function of the decision variables with its first and second derivatives: the gradient's terms, the
/// directional derivative ∇f·v (forward mode) and the terms of ∇²f·v, the reverse-mode gradient of that tangent.
/// </summary>
public sealed record DerivedFunction(Expr Value, IReadOnlyList<GradientTerm> Gradient, Expr Tangent, IReadOnlyList<GradientTerm> HessianVectorProduct);

/// <summary>
/// A family of rows (a constraint family or a block of residuals) with the gradient terms of its row expression: its
/// Jacobian rows. <paramref name="Label"/>[<paramref name="LabelIndices"/>] names a row in comments: the constraint
/// family's label and index, the let a residual is, else the residual's row.
/// </summary>
public sealed record DerivedRows(string Label, IReadOnlyList<IntExpr> LabelIndices, IndexSpace Rows, Expr Row, IReadOnlyList<GradientTerm> Jacobian);

/// <summary>
/// The output of the differentiation stage for one problem: its bound model and every derivative the generated class
/// needs, each computed once. Later stages (scheduling, printing, the derivative report) only read it.
/// </summary>
public sealed class DerivedProblem
{
    internal DerivedProblem(BoundProblem problem, DerivedFunction objective, IReadOnlyList<DerivedRows> constraints,
                            DerivedFunction? lagrangian, IReadOnlyList<DerivedRows>? residuals)
    {
        Problem = problem;
        Objective = objective;
        Constraints = constraints;
        Lagrangian = lagrangian;
        Residuals = residuals;
    }

    public BoundProblem Problem { get; }

    /// <summary>The objective as written (maximized when the problem maximizes).</summary>
    public DerivedFunction Objective { get; }

    /// <summary>One entry per constraint family, in row order: the constraint Jacobian.</summary>
    public IReadOnlyList<DerivedRows> Constraints { get; }

    /// <summary>L(x, λ) = f(x) + Σ λ·c(x), f in minimization form; null without constraints.</summary>
    public DerivedFunction? Lagrangian { get; }

    /// <summary>One entry per residual block, in row order: the residual Jacobian; null when the objective is no sum of squares.</summary>
    public IReadOnlyList<DerivedRows>? Residuals { get; }
}

/// <summary>The differentiation stage: bound problem in, <see cref="DerivedProblem"/> out.</summary>
public static class Differentiation
{
    /// <summary>
    /// Differentiates everything <paramref name="problem"/>'s class computes. The order is fixed (objective, constraint
    /// rows, Lagrangian, residual rows): nodes are interned in creation order, which later passes use as a topological order.
    /// </summary>
    public static DerivedProblem Derive(BoundProblem problem)
    {
        var objective = Function(problem.Objective);
        var constraints = problem.Constraints.Select(c => Rows(c.Label, c.Rows.Loops.Select(iv => (IntExpr)new IntIndex(iv)).ToList(), c.Rows, c.Body)).ToList();
        var lagrangian = problem.Constraints.Count > 0 ? Function(Lagrangian(problem)) : null;
        var residuals = problem.Residuals?.Select(b =>
        {
            // A residual that is a let's value reads as that let, when its indices are the block's own loops.
            if (problem.ValueNames.TryGetValue(b.Residual, out var let) && let.Indices.SelectMany(i => i.FreeIndices()).All(b.Rows.Loops.Contains))
                return Rows(let.Name, let.Indices, b.Rows, b.Residual);
            return Rows("residuals", [b.Rows.Row], b.Rows, b.Residual);
        }).ToList();
        return new DerivedProblem(problem, objective, constraints, lagrangian, residuals);
    }

    private static DerivedFunction Function(Expr f)
    {
        var gradient = ReverseAccumulator.Gradient(f);
        var tangent = new TangentBuilder().Tangent(f);
        return new DerivedFunction(f, gradient, tangent, ReverseAccumulator.Gradient(tangent));
    }

    private static DerivedRows Rows(string label, IReadOnlyList<IntExpr> labelIndices, IndexSpace rows, Expr row) =>
        new(label, labelIndices, rows, row, ReverseAccumulator.Gradient(row));

    /// <summary>The Lagrangian L(x, λ) = f(x) + Σ λ·c(x), with f in minimization form.</summary>
    private static Expr Lagrangian(BoundProblem p)
    {
        var l = p.Maximize ? Expr.Neg(p.Objective) : p.Objective;
        foreach (var c in p.Constraints)
        {
            var term = Expr.Mul(Expr.Mult(c.Label, c.ForAll.Select(iv => (IntExpr)new IntIndex(iv)).ToList()), c.Body);
            for (int k = c.ForAll.Count - 1; k >= 0; k--) term = Expr.Sum(c.ForAll[k], term);
            l = Expr.Add(l, term);
        }
        return l;
    }
}

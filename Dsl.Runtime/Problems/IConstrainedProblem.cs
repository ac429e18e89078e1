using System;
using System.Collections.Generic;

namespace OptDsl.Runtime;

/// <summary>
/// A smooth problem with constraints lowerₖ ≤ cₖ(x) ≤ upperₖ (equal bounds: an equality; an infinite side: one-sided).
/// The Lagrangian is L(x, λ) = f(x) + Σₖ λₖ cₖ(x) with f in minimization form. Generated classes implement this
/// explicitly when their problem has constraints.
/// </summary>
public interface IConstrainedProblem : ISecondOrderProblem
{
    /// <summary>Number of constraint rows m.</summary>
    int ConstraintCount { get; }

    /// <summary>Writes c(x) (length m).</summary>
    void Constraints(ReadOnlySpan<double> x, Span<double> values);

    /// <summary>Writes the bounds of each row (±infinity where open).</summary>
    void ConstraintBounds(Span<double> lower, Span<double> upper);

    /// <summary>Writes the dense Jacobian of c, row-major m×n.</summary>
    void ConstraintJacobian(ReadOnlySpan<double> x, Span<double> jacobian);

    /// <summary>Writes ∇ₓL(x, λ) and returns L(x, λ).</summary>
    double LagrangianGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> multipliers, Span<double> gradient);

    /// <summary>Writes the dense Hessian of the Lagrangian, row-major n×n.</summary>
    void LagrangianHessian(ReadOnlySpan<double> x, ReadOnlySpan<double> multipliers, Span<double> hessian);

    /// <summary>Writes ∇²ₓₓL(x, λ)·v.</summary>
    void LagrangianHessianVectorProduct(ReadOnlySpan<double> x, ReadOnlySpan<double> multipliers, ReadOnlySpan<double> v, Span<double> hv);

    /// <summary>Each constraint family's label, first row and row count, in row order.</summary>
    IReadOnlyList<(string Label, int Offset, int Count)> ConstraintLabels { get; }
}

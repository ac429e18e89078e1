using System;

namespace OptDsl.Runtime;

/// <summary>A smooth objective over a flat vector of decision variables.</summary>
/// <remarks>Generated problem classes implement this explicitly; the solvers drive it with spans.</remarks>
public interface IGradientProblem
{
    /// <summary>Number of decision variables (the length of <c>x</c>).</summary>
    int Dimension { get; }

    /// <summary>f(x).</summary>
    double Objective(ReadOnlySpan<double> x);

    /// <summary>Writes ∇f(x) into <paramref name="gradient"/> and returns f(x).</summary>
    double Gradient(ReadOnlySpan<double> x, Span<double> gradient);
}

/// <summary>A smooth objective that also has second derivatives.</summary>
public interface ISecondOrderProblem : IGradientProblem
{
    /// <summary>Writes the dense Hessian ∇²f(x), row-major n×n, into <paramref name="hessian"/>.</summary>
    void Hessian(ReadOnlySpan<double> x, Span<double> hessian);

    /// <summary>Writes ∇²f(x)·v into <paramref name="hv"/>.</summary>
    void HessianVectorProduct(ReadOnlySpan<double> x, ReadOnlySpan<double> v, Span<double> hv);
}

/// <summary>A nonlinear least-squares objective f(x) = Σₖ rₖ(x)² (no ½ factor).</summary>
public interface ILeastSquaresProblem
{
    /// <summary>Number of parameters (the length of <c>x</c>).</summary>
    int Dimension { get; }

    /// <summary>Number of residuals m.</summary>
    int ResidualCount { get; }

    /// <summary>Writes r(x) (length m) into <paramref name="residuals"/>.</summary>
    void Residuals(ReadOnlySpan<double> x, Span<double> residuals);

    /// <summary>Writes the Jacobian ∂rₖ/∂xⱼ, row-major m×n, into <paramref name="jacobian"/>.</summary>
    void Jacobian(ReadOnlySpan<double> x, Span<double> jacobian);
}

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
    System.Collections.Generic.IReadOnlyList<(string Label, int Offset, int Count)> ConstraintLabels { get; }
}

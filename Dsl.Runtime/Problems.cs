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

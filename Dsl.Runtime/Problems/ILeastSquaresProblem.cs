using System;

namespace OptDsl.Runtime;

/// <summary>
/// A nonlinear least-squares objective f(x) = Σₖ rₖ(x)² (no ½ factor), known by its residuals r and their Jacobian.
/// Its <see cref="IObjectiveProblem.Objective"/> is that sum.
/// </summary>
public interface ILeastSquaresProblem : IObjectiveProblem
{
    /// <summary>Number of residuals m.</summary>
    int ResidualCount { get; }

    /// <summary>Writes r(x) (length m) into <paramref name="residuals"/>.</summary>
    void Residuals(ReadOnlySpan<double> x, Span<double> residuals);

    /// <summary>Writes the Jacobian ∂rₖ/∂xⱼ, row-major m×n, into <paramref name="jacobian"/>.</summary>
    void Jacobian(ReadOnlySpan<double> x, Span<double> jacobian);

    /// <summary>
    /// Σₖ rₖ(x)², from <see cref="Residuals"/>. This default allocates the residual vector on every call; generated
    /// classes, and any class that also implements <see cref="IGradientProblem"/>, provide their own.
    /// </summary>
    /// <exception cref="InvalidOperationException">The problem reports a negative <see cref="ResidualCount"/>.</exception>
    double IObjectiveProblem.Objective(ReadOnlySpan<double> x)
    {
        int m = ResidualCount;
        if (m < 0) throw new InvalidOperationException($"Problem {GetType().Name} reports a negative residual count ({m}).");
        var residuals = new double[m];
        Residuals(x, residuals);
        double sum = 0;
        foreach (double r in residuals) sum += r * r;
        return sum;
    }
}

using System;
using OptDsl.Runtime;

namespace OptDsl.Benchmarks.SolverComparison;

/// <summary>
/// The shared objective of the solver comparison: wraps a generated problem and counts its calls. Both libraries
/// call the generated code through this one object (MathNet through <see cref="MathNetAdapters"/>), so the counts
/// are comparable and nothing else differs.
/// </summary>
public sealed class CountingGradientProblem(IGradientProblem inner) : IGradientProblem
{
    /// <summary>Calls of <see cref="Objective"/> (f only).</summary>
    public int ObjectiveCalls { get; private set; }

    /// <summary>Calls of <see cref="Gradient"/> (f and ∇f together).</summary>
    public int GradientCalls { get; private set; }

    public int Dimension => inner.Dimension;

    public double Objective(ReadOnlySpan<double> x)
    {
        ObjectiveCalls++;
        return inner.Objective(x);
    }

    public double Gradient(ReadOnlySpan<double> x, Span<double> gradient)
    {
        GradientCalls++;
        return inner.Gradient(x, gradient);
    }

    public void Reset() => ObjectiveCalls = GradientCalls = 0;
}

/// <summary>The least-squares counterpart of <see cref="CountingGradientProblem"/>: counts residual and Jacobian calls.</summary>
public sealed class CountingLeastSquaresProblem(ILeastSquaresProblem inner) : ILeastSquaresProblem
{
    public int ResidualCalls { get; private set; }
    public int JacobianCalls { get; private set; }

    public int Dimension => inner.Dimension;
    public int ResidualCount => inner.ResidualCount;

    public void Residuals(ReadOnlySpan<double> x, Span<double> residuals)
    {
        ResidualCalls++;
        inner.Residuals(x, residuals);
    }

    public void Jacobian(ReadOnlySpan<double> x, Span<double> jacobian)
    {
        JacobianCalls++;
        inner.Jacobian(x, jacobian);
    }

    public void Reset() => ResidualCalls = JacobianCalls = 0;
}

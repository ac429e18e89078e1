using System;
using OptDsl.Runtime;

namespace OptDsl.Benchmarks.SolverComparison;

/// <summary>Central differences, step ∛ε·|xₖ| (∛ε where xₖ = 0), relative because the NIST parameters range from 1e-4 to 1e3: the check that a generated derivative is right before anything is compared.</summary>
public static class FiniteDifferences
{
    private const double CubeRootEpsilon = 6.0554544523933395e-6;

    public static double[] Gradient(IGradientProblem problem, ReadOnlySpan<double> point)
    {
        var x = point.ToArray();
        var gradient = new double[x.Length];
        for (int k = 0; k < x.Length; k++)
        {
            double xk = x[k], h = Step(xk);
            x[k] = xk + h;
            double plus = problem.Objective(x);
            x[k] = xk - h;
            double minus = problem.Objective(x);
            x[k] = xk;
            gradient[k] = (plus - minus) / (2.0 * h);
        }
        return gradient;
    }

    /// <summary>The residual Jacobian, row-major m×n.</summary>
    public static double[] Jacobian(ILeastSquaresProblem problem, ReadOnlySpan<double> point)
    {
        int m = problem.ResidualCount, n = problem.Dimension;
        var x = point.ToArray();
        var jacobian = new double[m * n];
        var plus = new double[m];
        var minus = new double[m];
        for (int k = 0; k < n; k++)
        {
            double xk = x[k], h = Step(xk);
            x[k] = xk + h;
            problem.Residuals(x, plus);
            x[k] = xk - h;
            problem.Residuals(x, minus);
            x[k] = xk;
            for (int i = 0; i < m; i++) jacobian[i * n + k] = (plus[i] - minus[i]) / (2.0 * h);
        }
        return jacobian;
    }

    private static double Step(double x) => CubeRootEpsilon * (x == 0 ? 1.0 : Math.Abs(x));
}

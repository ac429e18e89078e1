using System;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;
using OptDsl.Runtime;

namespace OptDsl.Benchmarks.SolverComparison;

/// <summary>
/// The same functions, in the shapes MathNet.Numerics 5 asks for. What an adapter adds is what MathNet's API
/// requires: a new vector (or matrix) per evaluation, because MathNet keeps the values of earlier points; and for the
/// Jacobian a copy from OptDsl's row-major layout into MathNet's column-major dense matrix. That cost is part of
/// MathNet's measured time.
/// </summary>
public static class MathNetAdapters
{
    /// <summary>f and ∇f from one call of the shared <see cref="IGradientProblem.Gradient"/>, as MathNet's
    /// value-and-gradient objective (<c>ObjectiveFunction.Gradient(Func&lt;Vector, (double, Vector)&gt;)</c>). MathNet's
    /// Wolfe line search reads f and ∇f at every trial point, so a lazy f-then-∇f objective would not save a call.</summary>
    public static IObjectiveFunction Objective(IGradientProblem problem) =>
        ObjectiveFunction.Gradient(x =>
        {
            var gradient = new double[problem.Dimension];
            double f = problem.Gradient(Values(x), gradient);
            return (f, Vector<double>.Build.Dense(gradient));
        });

    /// <summary>
    /// The shared residuals r(b) and Jacobian J(b) as MathNet's nonlinear model (<c>ObjectiveFunction.NonlinearModel</c>
    /// with an analytic Jacobian): the model function is r itself and the observations are 0, so MathNet's residual
    /// is 0 − r(b) (the same sum of squares) and the model's Jacobian is exactly J. The observed x are unused.
    /// A model keeps state (the current point and its values), so each solve needs a new one.
    /// </summary>
    public static IObjectiveModel NonlinearModel(ILeastSquaresProblem problem)
    {
        int m = problem.ResidualCount, n = problem.Dimension;
        var rowMajor = new double[m * n];
        var unusedX = Vector<double>.Build.Dense(m);
        var zeros = Vector<double>.Build.Dense(m);
        return ObjectiveFunction.NonlinearModel(
            (b, _) =>
            {
                var r = new double[m];
                problem.Residuals(Values(b), r);
                return Vector<double>.Build.Dense(r);
            },
            (b, _) =>
            {
                problem.Jacobian(Values(b), rowMajor);
                return Matrix<double>.Build.DenseOfRowMajor(m, n, rowMajor);
            },
            unusedX,
            zeros);
    }

    /// <summary>The entries of a MathNet vector without a copy when it is dense (it always is here).</summary>
    public static ReadOnlySpan<double> Values(Vector<double> v) => v.AsArray() ?? v.ToArray();
}

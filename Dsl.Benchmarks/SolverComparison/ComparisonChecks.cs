using System;
using System.Linq;
using MathNet.Numerics.LinearAlgebra;

namespace OptDsl.Benchmarks.SolverComparison;

/// <summary>
/// Run in [GlobalSetup] before anything is compared; a failure throws, and the benchmark fails instead of reporting:
/// the generated derivatives must agree with central differences, and MathNet must see exactly the values OptDsl sees.
/// </summary>
public static class ComparisonChecks
{
    private const double FiniteDifferenceTolerance = 1e-6;

    public static void QuasiNewton(QuasiNewtonCase problem)
    {
        var generated = problem.Create();
        if (generated.Dimension != problem.Dimension || problem.Start.Length != problem.Dimension)
            throw new InvalidOperationException($"{problem.Name}: dimension {generated.Dimension}, start of length {problem.Start.Length}, expected {problem.Dimension}.");
        var gradient = new double[problem.Dimension];
        double f = generated.Gradient(problem.Start, gradient);
        Verify.Close(generated.Objective(problem.Start), f, $"{problem.Name}: Objective and the value returned by Gradient");
        Verify.Close(gradient, FiniteDifferences.Gradient(generated, problem.Start), $"{problem.Name}: Gradient against central differences", FiniteDifferenceTolerance);

        var objective = MathNetAdapters.Objective(generated);
        objective.EvaluateAt(Vector<double>.Build.DenseOfArray(problem.Start));
        Verify.Close(objective.Value, f, $"{problem.Name}: MathNet's f", tolerance: 0);
        Verify.Close(objective.Gradient.ToArray(), gradient, $"{problem.Name}: MathNet's gradient", tolerance: 0);
    }

    public static void LeastSquares(LeastSquaresCase run)
    {
        var data = run.Data;
        var generated = run.Create(data);
        int m = generated.ResidualCount, n = generated.Dimension;
        if (m != data.Y.Length || n != data.Certified.Length)
            throw new InvalidOperationException($"{run.Name}: {m} residuals and {n} parameters, expected {data.Y.Length} and {data.Certified.Length}.");

        var residuals = new double[m];
        generated.Residuals(data.Certified, residuals);
        double rss = residuals.Sum(r => r * r);
        Verify.Close(rss, data.CertifiedResidualSumOfSquares, $"{run.Name}: Σr² at the certified parameters against the certified RSS", tolerance: 1e-7);

        var start = run.Start;
        var jacobian = new double[m * n];
        generated.Jacobian(start, jacobian);
        Verify.Close(jacobian, FiniteDifferences.Jacobian(generated, start), $"{run.Name}: ResidualJacobian against central differences", FiniteDifferenceTolerance);

        // MathNet's residual is 0 − r and its model Jacobian is J; its value Σr² and gradient Jᵀr.
        generated.Residuals(start, residuals);
        var model = MathNetAdapters.NonlinearModel(generated);
        model.SetParameters(Vector<double>.Build.DenseOfArray(start));
        model.EvaluateAt(Vector<double>.Build.DenseOfArray(start));
        Verify.Close(model.Value, residuals.Sum(r => r * r), $"{run.Name}: MathNet's Σr²");
        var gradient = new double[n];
        for (int i = 0; i < m; i++)
            for (int k = 0; k < n; k++) gradient[k] += jacobian[i * n + k] * residuals[i];
        Verify.Close(model.Gradient.ToArray(), gradient, $"{run.Name}: MathNet's gradient Jᵀr");
    }
}

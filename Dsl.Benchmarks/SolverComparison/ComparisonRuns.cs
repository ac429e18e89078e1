using System;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;
using OptDsl.Runtime;

namespace OptDsl.Benchmarks.SolverComparison;

/// <summary>How one solve ended, in terms both libraries share.</summary>
/// <param name="Status">OptDsl's <see cref="SolveStatus"/>, MathNet's exit condition (see <see cref="ComparisonRuns"/>), or "failed: …".</param>
public readonly record struct Outcome(double F, double[] X, int Iterations, string Status, bool Failed);

/// <summary>
/// One solve of each compared method, with the stopping rules of the comparison. The benchmarks time these methods;
/// <see cref="ComparisonRecords"/> runs them once more with the counters read.
/// <para>
/// Stopping rules, matched as far as the two APIs allow (docs/benchmarks.md explains the differences):
/// BFGS and L-BFGS: gradient tolerance 1e-8, step (parameter) tolerance 1e-14, no function-change test, at most 5000
/// iterations, L-BFGS memory 10. OptDsl tests ‖∇f‖∞ ≤ 1e-8 and a proposed step ≤ 1e-14·(1 + ‖x‖∞); MathNet tests the
/// relative gradient maxᵢ |gᵢ|·max(|xᵢ|, 1) / max(|f|, 1) &lt; 1e-8 and an actual step maxᵢ |Δxᵢ| / max(|xᵢ|, 1) &lt; 1e-14,
/// and its L-BFGS also stops when ‖∇f‖₂ &lt; 1e-8.
/// Levenberg–Marquardt: no gradient test (tolerance 0 in both, as MINPACK's lmder1 and the NIST tests run it: stop when
/// no further progress is possible), step tolerance 1e-15 in each library's own form (OptDsl: trust radius
/// Δ ≤ 1e-15·‖Dx‖; MathNet: ‖h‖₂ ≤ 1e-15·(1e-15 + ‖x‖₂²)), no function test (OptDsl keeps lmder's machine-precision
/// tests), at most 2000 iterations, each library's default initial damping.
/// </para>
/// </summary>
public static class ComparisonRuns
{
    public const double GradientTolerance = 1e-8;
    public const double StepTolerance = 1e-14;
    public const int MaxIterations = 5000;
    public const int Memory = 10;

    /// <summary>
    /// The gradient test of Levenberg–Marquardt, off. Were it on, OptDsl would get twice MathNet's value (its test is on
    /// ‖2Jᵀr‖∞, MathNet's on ‖Jᵀr‖∞). At MathNet's default 1e-15, OptDsl stops on BoxBOD start 1's asymptote (docs/benchmarks.md).
    /// </summary>
    public const double LmGradientTolerance = 0;
    public const double LmStepTolerance = 1e-15;
    public const int LmMaxIterations = 2000;

    /// <summary>MathNet's default initial damping: μ₀ = 1e-3 · max diag(JᵀJ).</summary>
    public const double MathNetInitialMu = 1e-3;

    public static SolveOptions QuasiNewtonOptions { get; } = new()
    {
        GradientTolerance = GradientTolerance,
        StepTolerance = StepTolerance,
        FunctionTolerance = 0,
        MaxIterations = MaxIterations,
        RecordHistory = false,
    };

    public static SolveOptions LeastSquaresOptions { get; } = new()
    {
        GradientTolerance = 2 * LmGradientTolerance,
        StepTolerance = LmStepTolerance,
        FunctionTolerance = 0,
        MaxIterations = LmMaxIterations,
        RecordHistory = false,
    };

    public static Outcome OptDslBfgs(IGradientProblem problem, double[] start) =>
        FromOptDsl(new OptDsl.Runtime.BfgsSolver().Minimize(problem, start, QuasiNewtonOptions));

    public static Outcome OptDslLbfgs(IGradientProblem problem, double[] start) =>
        FromOptDsl(new LbfgsSolver { Memory = Memory }.Minimize(problem, start, QuasiNewtonOptions));

    public static Outcome OptDslLm(ILeastSquaresProblem problem, double[] start) =>
        FromOptDsl(new LevenbergMarquardtSolver().Minimize(problem, start, LeastSquaresOptions));

    public static Outcome MathNetBfgs(IGradientProblem problem, double[] start)
    {
        try
        {
            var minimizer = new BfgsMinimizer(GradientTolerance, StepTolerance, 0, MaxIterations);
            return FromMathNet(minimizer.FindMinimum(MathNetAdapters.Objective(problem), Vector<double>.Build.DenseOfArray(start)), lbfgs: false);
        }
        catch (Exception e)
        {
            return Failure(e);
        }
    }

    public static Outcome MathNetLbfgs(IGradientProblem problem, double[] start)
    {
        try
        {
            var minimizer = new LimitedMemoryBfgsMinimizer(GradientTolerance, StepTolerance, 0, Memory, MaxIterations);
            return FromMathNet(minimizer.FindMinimum(MathNetAdapters.Objective(problem), Vector<double>.Build.DenseOfArray(start)), lbfgs: true);
        }
        catch (Exception e)
        {
            return Failure(e);
        }
    }

    public static Outcome MathNetLm(ILeastSquaresProblem problem, double[] start)
    {
        try
        {
            var minimizer = new LevenbergMarquardtMinimizer(MathNetInitialMu, LmGradientTolerance, LmStepTolerance, functionTolerance: 0, LmMaxIterations);
            var result = minimizer.FindMinimum(MathNetAdapters.NonlinearModel(problem), Vector<double>.Build.DenseOfArray(start));
            // The model's value is Σr² (no ½), as OptDsl's; the result already evaluated it at the final point.
            return new(result.ModelInfoAtMinimum.Value, result.MinimizingPoint.ToArray(), result.Iterations, result.ReasonForExit.ToString(), Failed: false);
        }
        catch (Exception e)
        {
            return Failure(e);
        }
    }

    private static Outcome FromOptDsl(SolveResult result) => new(result.Objective, result.X, result.Iterations, result.Status.ToString(), Failed: false);

    /// <summary>
    /// MathNet 5's BfgsMinimizer and LimitedMemoryBfgsMinimizer report <see cref="ExitCondition.AbsoluteGradient"/>
    /// whatever stopped them, so the reason is found again from the final point: the relative-gradient test, L-BFGS's
    /// ‖∇f‖₂ test, the iteration limit (MathNet's L-BFGS returns there without an exception), else the step test
    /// ("LackOfProgress").
    /// </summary>
    private static Outcome FromMathNet(MinimizationResult result, bool lbfgs)
    {
        var point = result.FunctionInfoAtMinimum;
        string status;
        if (RelativeGradient(point.Point, point.Value, point.Gradient) < GradientTolerance) status = "RelativeGradient";
        else if (lbfgs && point.Gradient.L2Norm() < GradientTolerance) status = "AbsoluteGradient";
        else if (result.Iterations >= MaxIterations) status = "MaxIterations (no exception)";
        else status = "LackOfProgress";
        return new(point.Value, point.Point.ToArray(), result.Iterations, status, Failed: false);
    }

    /// <summary>MathNet's relative gradient: maxᵢ |gᵢ|·max(|xᵢ|, 1) / max(|f|, 1).</summary>
    public static double RelativeGradient(Vector<double> x, double f, Vector<double> gradient)
    {
        double normalizer = Math.Max(Math.Abs(f), 1.0), relative = 0;
        for (int i = 0; i < x.Count; i++) relative = Math.Max(relative, Math.Abs(gradient[i]) * Math.Max(Math.Abs(x[i]), 1.0) / normalizer);
        return relative;
    }

    private static Outcome Failure(Exception e)
    {
        string what = e.InnerException is { } inner ? $"{e.GetType().Name} ({inner.GetType().Name}: {inner.Message})" : $"{e.GetType().Name}: {e.Message}";
        return new(double.NaN, [], 0, "failed: " + what, Failed: true);
    }
}

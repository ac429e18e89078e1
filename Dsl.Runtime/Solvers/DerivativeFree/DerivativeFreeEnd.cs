using System;
using OptDsl.Runtime.Internal;

namespace OptDsl.Runtime;

/// <summary>
/// How a derivative-free solve ends when its method stops by its own rule (not a limit): the optional local polish of
/// the best point with a gradient solver (<c>polish: lbfgs</c>), else the gradient test at the best point when the
/// objective is differentiable, else <see cref="SolveStatus.Unverified"/>. Derivative-free methods never say
/// <see cref="SolveStatus.Converged"/> on their own word: only a gradient can.
/// </summary>
internal static class DerivativeFreeEnd
{
    /// <summary>Checks, before the method starts, that a polish or a gradient test has the gradient it needs.</summary>
    public static void Check(IObjectiveProblem problem, InnerSolver? polish, bool bounded, string solver)
    {
        if (polish is not { } inner) return;
        if (problem is not IGradientProblem)
            throw new ArgumentException($"{solver}: Polish = {inner} needs the gradient, and {problem.GetType().Name} is not an IGradientProblem.", nameof(polish));
        if (inner is InnerSolver.Newton or InnerSolver.NewtonCg && problem is not ISecondOrderProblem)
            throw new ArgumentException($"{solver}: Polish = {inner} needs Hessian-vector products, and {problem.GetType().Name} is not an ISecondOrderProblem.", nameof(polish));
        if (inner is InnerSolver.Newton or InnerSolver.NewtonCg && bounded)
            throw new ArgumentException($"{solver}: Polish = {inner} takes no bounds; polish with Lbfgs, Bfgs or GradientDescent.", nameof(polish));
    }

    /// <summary>
    /// The result at the best point <paramref name="x"/> (value <paramref name="f"/>) after the method stopped by its own
    /// rule, described by <paramref name="rule"/>. <paramref name="verify"/>: the objective is differentiable, so its
    /// gradient may judge the point (a subgradient may not).
    /// </summary>
    public static SolveResult Finish(IObjectiveProblem problem, double[] x, double f, Box box, IterationMonitor monitor, bool verify, InnerSolver? polish, string rule)
    {
        if (!double.IsFinite(f))
            return monitor.Result(x, f, double.NaN, SolveStatus.Diverged, $"Diverged: {rule}, without finding a point where the objective is finite.", double.NaN);
        string? polishNote = null;
        if (polish is { } inner && problem is IGradientProblem smooth)
        {
            var options = monitor.Options with
            {
                MaxEvaluations = monitor.Options.MaxEvaluations > 0 ? Math.Max(1, monitor.RemainingEvaluations) : 0,
                TimeLimit = monitor.Options.TimeLimit is { } limit ? Max(limit - monitor.Elapsed, TimeSpan.FromTicks(1)) : null,
                RecordHistory = false,
                Progress = null,
            };
            var bounds = box.IsBounded ? new Bounds(box.Lower.ToArray(), box.Upper.ToArray()) : null;
            var polished = inner switch
            {
                InnerSolver.Lbfgs => new LbfgsSolver().Minimize(smooth, x, options, bounds),
                InnerSolver.Bfgs => new BfgsSolver().Minimize(smooth, x, options, bounds),
                InnerSolver.Newton => new NewtonSolver().Minimize((ISecondOrderProblem)smooth, x, options),
                InnerSolver.NewtonCg => new NewtonCgSolver().Minimize((ISecondOrderProblem)smooth, x, options),
                _ => new GradientDescentSolver().Minimize(smooth, x, options, bounds),
            };
            monitor.AddEvaluations(polished);
            // The polish starts at the best point, so its answer is never worse. The gradient test below judges it on this
            // solve's scale (the start's |f|), not the polish's own (its start is near the minimum, where f may be 0).
            if (double.IsFinite(polished.Objective) && polished.Objective <= f)
            {
                x = polished.X;
                f = polished.Objective;
            }
            if (polished.Status is SolveStatus.Cancelled or SolveStatus.TimeLimit or SolveStatus.MaxEvaluations)
                return monitor.Result(x, f, double.NaN, polished.Status, $"{rule}; the polish by {polished.Solver} was stopped: {polished.Message}", double.NaN);
            polishNote = $"polished by {polished.Solver} ({polished.Iterations} iterations, {polished.Status})";
            verify = true;
        }
        if (verify && problem is IGradientProblem differentiable)
        {
            var gradient = new double[x.Length];
            monitor.Gradient(differentiable, x, gradient);
            double norm = box.ProjectedGradientNorm(x, gradient);
            double error = monitor.OptimalityError(norm, f);
            string how = polishNote is null ? rule : $"{rule}; then {polishNote}";
            if (monitor.IsStationary(error))
                return monitor.Result(x, f, norm, SolveStatus.Converged, $"Converged: optimality error {error:G3} ≤ tolerance {monitor.Options.GradientTolerance:G3} at the best point ({how}).", error);
            var status = monitor.NoProgress(error, how);
            var r = monitor.Result(x, f, norm, status, null, error);
            return status == SolveStatus.Stalled && polishNote is null
                ? r with { Message = r.Message + " The objective is differentiable: 'polish: lbfgs' refines the best point with its gradient." }
                : r;
        }
        return monitor.Result(x, f, double.NaN, SolveStatus.Unverified,
            $"Unverified: {rule}, at f = {f:G10}. No gradient tested the point (the objective is not differentiable, or VerifyWithGradient is off); judge X by its value.", double.NaN);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}

using System;
using System.Numerics.Tensors;
using OptDsl.Runtime.Internal;
using OptDsl.Runtime.LineSearch;

namespace OptDsl.Runtime.QuasiNewton;

/// <summary>
/// The iteration BFGS and L-BFGS share, around a <see cref="QuasiNewtonModel"/>: the model's direction, the Moré–Thuente
/// strong-Wolfe line search (along the feasible segment with bounds), the pair (s, y) of the accepted step into the model,
/// the convergence tests. The first trial step is 1/‖d‖ while the model is empty (at most 1 with bounds). If the line search
/// fails along the model's direction, the model is reset and steepest descent is tried once; a second failure ends the
/// solve with <see cref="SolveStatus.LineSearchFailed"/>. Stationarity is measured by ‖x − P(x − ∇f)‖∞.
/// </summary>
internal static class QuasiNewtonLoop
{
    /// <param name="model">The curvature model (new, or reset).</param>
    /// <param name="problem">The problem.</param>
    /// <param name="x">The checked start point, inside the box; overwritten by the iterates.</param>
    /// <param name="box">The bounds.</param>
    /// <param name="monitor">The solve's monitor.</param>
    /// <param name="approximateWolfe">Line searches also accept Hager–Zhang approximate Wolfe steps (see <see cref="WolfeLineSearch"/>).</param>
    public static SolveResult Run(QuasiNewtonModel model, IGradientProblem problem, double[] x, Box box, IterationMonitor monitor, bool approximateWolfe)
    {
        int n = x.Length;
        bool bounded = box.IsBounded;
        var g = new double[n];
        var d = new double[n];
        var search = new WolfeLineSearch(n, approximateWolfe);

        if (monitor.EvaluateStart(problem, x, g, box, out double f, out double gnorm) is { } done) return done;

        SolveStatus status;
        string? message = null;
        while (!monitor.ShouldStop(out status))
        {
            bool accepted = false;
            LineSearchOutcome outcome = LineSearchOutcome.Failed;
            // At most two attempts: the model's direction, then steepest descent after resetting the model.
            for (int attempt = 0; attempt < 2 && !accepted; attempt++)
            {
                if (attempt == 1)
                {
                    if (model.IsEmpty) break;
                    model.Reset();
                }
                model.Direction(box, x, g, d);
                double slope = Vec.Dot(g, d);
                if (!(slope < 0)) { outcome = LineSearchOutcome.Failed; continue; }

                double maxStep = bounded ? Math.Max(1.0, box.MaxFeasibleStep(x, d, 1e10)) : 1e10;
                double initialStep = 1.0;
                if (model.IsEmpty)
                {
                    if (bounded) maxStep = 1.0;
                    initialStep = Math.Min(1.0 / Vec.Norm(d), maxStep);
                }
                outcome = search.Search(problem, monitor, box, x, f, d, slope, initialStep, maxStep);
                accepted = outcome is LineSearchOutcome.Wolfe or LineSearchOutcome.Decrease;
                if (outcome is LineSearchOutcome.NonFinite or LineSearchOutcome.BudgetExhausted) break;
            }

            if (!accepted)
            {
                (status, message) = outcome switch
                {
                    LineSearchOutcome.NonFinite => (SolveStatus.Diverged, "Diverged: the objective or gradient was NaN or infinite at every trial step; X is the last finite point."),
                    LineSearchOutcome.BudgetExhausted => (SolveStatus.MaxEvaluations, (string?)null),
                    _ => (SolveStatus.LineSearchFailed, $"The line search found no decrease along the {model.DirectionName} or the steepest-descent direction ({search.Detail}); |g|∞ = {gnorm:G3}. At a minimizer this means the gradient tolerance is below the rounding level of the gradient; otherwise check the gradient."),
                };
                break;
            }

            double fOld = f;
            var s = model.NextS;
            TensorPrimitives.Subtract(search.X, x, s);
            TensorPrimitives.Subtract(search.G, g, model.NextY);
            double stepNorm = Vec.InfNorm(s);
            model.Update();
            search.X.CopyTo(x);
            search.G.CopyTo(g);
            f = search.F;
            gnorm = box.ProjectedGradientNorm(x, g);
            // The step test uses the proposed step d (not α·d): a short step from the line search alone is no sign of convergence.
            if (monitor.CompleteIteration(fOld, f, gnorm, stepNorm, Vec.InfNorm(x), out status, stoppingStepNorm: Math.Max(stepNorm, Vec.InfNorm(d)))) break;
        }
        return monitor.Result(x, f, gnorm, status, message);
    }
}

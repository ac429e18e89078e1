using System;
using OptDsl.Runtime.Internal;

namespace OptDsl.Runtime;

/// <summary>
/// The iteration of every fixed-step first-order method: a step of its <see cref="UpdateRule"/> with the solver's learning
/// rate, projection into the box, the gradient at the new point, the convergence tests. A NaN or infinite iterate,
/// objective or gradient ends the solve with <see cref="SolveStatus.Diverged"/> at the last finite point.
/// </summary>
internal static class FirstOrderLoop
{
    public static SolveResult Run(UpdateRule rule, double learningRate, IGradientProblem problem, double[] x, Box box, IterationMonitor monitor)
    {
        int n = x.Length;
        var g = new double[n];
        var gNext = new double[n];
        var xPrevious = new double[n];
        var effective = new double[n];
        double decay = rule.CoupledWeightDecay;

        if (monitor.EvaluateStart(problem, x, g, box, out double f, out double gnorm, norm => StoppingNorm(box, x, g, decay, effective, norm)) is { } done) return done;
        double stopNorm;

        // Per iteration, besides the gradient: the step (one pass), the copy of x kept for a divergence, one pass over x
        // and that copy (finiteness, ‖x‖∞ and the step's length), one over the new gradient (its norm, which is NaN or ∞
        // when it is not finite). The new gradient goes into the other buffer; the buffers swap when it is accepted.
        SolveStatus status;
        string? message = null;
        while (!monitor.ShouldStop(out status))
        {
            x.CopyTo(xPrevious, 0);
            double fPrevious = f;
            rule.StepInBox(x, g, learningRate, box); // the step and the projection into the box, in one pass
            double xNorm = Vec.InfNormAndDistance(x, xPrevious, out double stepLength);
            bool finite = double.IsFinite(xNorm);
            double nextNorm = 0;
            if (finite)
            {
                double fNext = monitor.Gradient(problem, x, gNext);
                // Unbounded, ‖∇f‖∞ is NaN or ∞ exactly when ∇f is; the projected norm can hide an infinite entry at a bound.
                finite = double.IsFinite(fNext) && (!box.IsBounded || Vec.AllFinite(gNext));
                if (finite)
                {
                    nextNorm = box.ProjectedGradientNorm(x, gNext);
                    finite = double.IsFinite(nextNorm);
                }
                if (finite) f = fNext;
            }
            if (!finite)
            {
                xPrevious.CopyTo(x, 0);
                status = SolveStatus.Diverged;
                message = $"Diverged at iteration {monitor.Iterations + 1}: the iterate, objective or gradient became NaN or infinite (is the learning rate too large?); X is the last finite point.";
                break;
            }
            (g, gNext) = (gNext, g);
            gnorm = nextNorm;
            stopNorm = StoppingNorm(box, x, g, decay, effective, gnorm);
            if (monitor.CompleteIteration(fPrevious, f, gnorm, stepLength, xNorm, out status, stoppingGradientNorm: stopNorm)) break;
        }
        return monitor.Result(x, f, gnorm, status, message);
    }

    /// <summary>‖∇f‖ projected, or, for a rule with coupled weight decay λ (which minimizes f + ½λ‖x‖²), that of ∇f + λx.</summary>
    private static double StoppingNorm(Box box, ReadOnlySpan<double> x, ReadOnlySpan<double> g, double decay, Span<double> effective, double gnorm)
    {
        if (decay == 0) return gnorm;
        Vec.AddScaled(g, decay, x, effective);
        return box.ProjectedGradientNorm(x, effective);
    }
}

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
        var xPrevious = new double[n];
        var gPrevious = new double[n];
        var effective = new double[n];
        double decay = rule.CoupledWeightDecay;

        if (monitor.EvaluateStart(problem, x, g, box, out double f, out double gnorm, norm => StoppingNorm(box, x, g, decay, effective, norm)) is { } done) return done;
        double stopNorm;

        SolveStatus status;
        string? message = null;
        while (!monitor.ShouldStop(out status))
        {
            x.CopyTo(xPrevious, 0);
            g.CopyTo(gPrevious, 0);
            double fPrevious = f;
            rule.StepInBox(x, g, learningRate, box); // the step and the projection into the box, in one pass
            bool finite = Vec.AllFinite(x);
            if (finite)
            {
                f = monitor.Gradient(problem, x, g);
                finite = double.IsFinite(f) && Vec.AllFinite(g);
            }
            if (!finite)
            {
                xPrevious.CopyTo(x, 0);
                gPrevious.CopyTo(g, 0);
                f = fPrevious;
                status = SolveStatus.Diverged;
                message = $"Diverged at iteration {monitor.Iterations + 1}: the iterate, objective or gradient became NaN or infinite (is the learning rate too large?); X is the last finite point.";
                break;
            }
            gnorm = box.ProjectedGradientNorm(x, g);
            stopNorm = StoppingNorm(box, x, g, decay, effective, gnorm);
            if (monitor.CompleteIteration(fPrevious, f, gnorm, Vec.InfDistance(x, xPrevious), Vec.InfNorm(x), out status, stoppingGradientNorm: stopNorm)) break;
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

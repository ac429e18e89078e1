using System;
using OptDsl.Runtime.Internal;

namespace OptDsl.Runtime;

/// <summary>One update rule of a fixed-step first-order method (the state lives in the rule, allocated once per solve).</summary>
internal abstract class FirstOrderRule
{
    /// <summary>Coupled L2 weight decay λ: the method minimizes f + ½λ‖x‖², so the stopping test uses ∇f + λx.</summary>
    public virtual double CoupledWeightDecay => 0.0;

    /// <summary>Applies step <paramref name="t"/> (1-based) in place to <paramref name="x"/> given ∇f(x) = <paramref name="g"/>.</summary>
    public abstract void Step(int t, Span<double> x, ReadOnlySpan<double> g);
}

/// <summary>
/// The iteration of every fixed-step first-order method: update, project into the box, evaluate the gradient,
/// test for convergence. A NaN or infinite iterate, objective or gradient ends the solve with
/// <see cref="SolveStatus.Diverged"/> at the last finite point.
/// </summary>
internal static class FirstOrderLoop
{
    public static SolveResult Run(string name, FirstOrderRule rule, IGradientProblem problem, ReadOnlySpan<double> start, SolveOptions? options, Bounds? bounds)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var monitor = new IterationMonitor(name, options);
        int n = problem.Dimension;
        var x = Arguments.StartPoint(problem, n, start, bounds, name);
        var box = Box.From(bounds, n);
        var g = new double[n];
        var xPrevious = new double[n];
        var gPrevious = new double[n];
        var effective = new double[n];
        double decay = rule.CoupledWeightDecay;

        if (monitor.EvaluateStart(problem, x, g, out double f) is { } diverged) return diverged;
        double gnorm = box.ProjectedGradientNorm(x, g);
        double stopNorm = StoppingNorm(box, x, g, decay, effective, gnorm);
        if (monitor.IsStationary(stopNorm)) return monitor.Result(x, f, gnorm, SolveStatus.Converged);

        SolveStatus status;
        string? message = null;
        while (!monitor.ShouldStop(out status))
        {
            x.CopyTo(xPrevious, 0);
            g.CopyTo(gPrevious, 0);
            double fPrevious = f;
            rule.Step(monitor.Iterations + 1, x, g);
            box.Project(x);
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

    private static double StoppingNorm(Box box, ReadOnlySpan<double> x, ReadOnlySpan<double> g, double decay, Span<double> effective, double gnorm)
    {
        if (decay == 0) return gnorm;
        Vec.AddScaled(g, decay, x, effective);
        return box.ProjectedGradientNorm(x, effective);
    }
}

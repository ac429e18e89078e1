using System;
using System.Threading;
using OptDsl.Runtime.Internal;

namespace OptDsl.Runtime.Constrained;

/// <summary>
/// The feasibility phase both constrained solvers fall back on: L-BFGS-B (<see cref="LbfgsSolver"/>) on
/// θ(x) = ½ Σₖ [max(cₖ − uₖ, 0)² + max(lₖ − cₖ, 0)²] inside the variable box, started at the current point.
/// It stops as soon as a point with violation ≤ tolerance/10 is evaluated (a feasible point: the caller resumes from it),
/// or at a stationary point of θ with θ &gt; 0. Such a point may be a saddle of θ (where a constraint gradient vanishes), so
/// the search is restarted twice from deterministic kicks of 1% and then 10% (opposite signs) of each coordinate; if none finds a feasible point,
/// the least-infeasible point found is returned (the problem is then declared locally infeasible).
/// </summary>
internal static class FeasibilityPhase
{
    public readonly record struct Outcome(double[] X, double Violation, SolveStatus? Stop, int Iterations);

    /// <summary>Perturbed restarts after a first run that ends infeasible (a stationary point of θ may be a saddle).</summary>
    private const int Restarts = 2;

    /// <summary>
    /// Runs the phase from <paramref name="start"/>. With a proximity weight ζ &gt; 0 (the interior point passes √μ, as
    /// IPOPT's restoration phase) the first attempt minimizes
    /// θ(x) + ζ/2·Σᵢ ((xᵢ − x_Rᵢ)/max(1, |x_Rᵢ|))², which keeps the point near the reference point x_R (the start) where the
    /// multipliers belong; if that attempt ends infeasible, the attempts without the term follow.
    /// </summary>
    public static Outcome Run(ConstrainedModel model, IterationMonitor monitor, ReadOnlySpan<double> start, double feasibilityTolerance, double proximity = 0)
    {
        int iterationsNear = 0;
        if (proximity > 0)
        {
            var near = Once(model, monitor, start, feasibilityTolerance, proximity);
            if (near.Stop is not null || near.Violation <= feasibilityTolerance) return near;
            iterationsNear = near.Iterations;
        }
        var outcome = Attempts(model, monitor, start, feasibilityTolerance);
        return outcome with { Iterations = outcome.Iterations + iterationsNear };
    }

    /// <summary>
    /// The phase as both solvers call it when they look for feasibility: from <paramref name="x"/> (with the proximity
    /// term when given); when that ends infeasible, the phase is only local, so the last feasible point seen
    /// (<paramref name="knownFeasible"/>: the problem is feasible, restart there) or else, once per solve
    /// (<paramref name="triedStart"/>), the phase from the caller's <paramref name="start"/> decides.
    /// </summary>
    public static Outcome Restore(ConstrainedModel model, IterationMonitor monitor, ReadOnlySpan<double> x, double feasibilityTolerance,
        double[]? knownFeasible, double[] start, ref bool triedStart, double proximity = 0)
    {
        var outcome = Run(model, monitor, x, feasibilityTolerance, proximity);
        if (outcome.Stop is not null || outcome.Violation <= feasibilityTolerance) return outcome;
        if (knownFeasible is not null) return outcome with { X = (double[])knownFeasible.Clone(), Violation = 0 };
        if (triedStart) return outcome;
        triedStart = true;
        var fromStart = Run(model, monitor, start, feasibilityTolerance);
        return fromStart.Stop is not null || fromStart.Violation <= feasibilityTolerance ? fromStart : outcome;
    }

    private static Outcome Attempts(ConstrainedModel model, IterationMonitor monitor, ReadOnlySpan<double> start, double feasibilityTolerance)
    {
        int n = model.N;
        var random = new Random(20061);
        var signs = new double[n];
        for (int i = 0; i < n; i++) signs[i] = random.NextDouble() < 0.5 ? -1 : 1;
        var from = start.ToArray();
        Outcome best = default;
        int iterations = 0;
        for (int attempt = 0; attempt <= Restarts; attempt++)
        {
            if (attempt > 0)
            {
                // Deterministic kicks of 1% of each coordinate's size with fixed pseudo-random signs, then 10% with the
                // opposite signs (a degenerate saddle may only be left on one side), inside the box.
                double size = attempt == 1 ? 1e-2 : -1e-1;
                for (int i = 0; i < n; i++)
                {
                    double kick = size * Math.Max(1, Math.Abs(best.X[i])) * signs[i];
                    from[i] = Math.Clamp(best.X[i] + kick, model.BoxLower[i], model.BoxUpper[i]);
                }
            }
            var outcome = Once(model, monitor, from, feasibilityTolerance);
            iterations += outcome.Iterations;
            if (attempt == 0 || !(best.Violation <= outcome.Violation)) best = outcome;
            if (outcome.Stop is not null || outcome.Violation <= feasibilityTolerance) return outcome with { Iterations = iterations };
        }
        return best with { Iterations = iterations };
    }

    private static Outcome Once(ConstrainedModel model, IterationMonitor monitor, ReadOnlySpan<double> start, double feasibilityTolerance, double proximity = 0)
    {
        var caller = monitor.Options.CancellationToken;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(caller);
        var squared = new SquaredViolation(model, 0.1 * feasibilityTolerance, cts, proximity, start.ToArray());
        int n = model.N;
        var options = monitor.NestedOptions(1e-13, 2000 + 50 * n, cts.Token);
        if (options.MaxEvaluations > 0 && monitor.RemainingEvaluations <= 0)
            return new Outcome(start.ToArray(), double.NaN, SolveStatus.MaxEvaluations, 0);
        var result = new LbfgsSolver().Minimize(squared, start, options, model.Bounds);
        monitor.AddEvaluations(result);

        SolveStatus? stop = result.Status switch
        {
            SolveStatus.Cancelled when caller.IsCancellationRequested => SolveStatus.Cancelled,
            SolveStatus.TimeLimit => SolveStatus.TimeLimit,
            SolveStatus.MaxEvaluations => SolveStatus.MaxEvaluations,
            _ => null,
        };
        // The least θ among the returned point and every evaluated point (a trial that found feasibility may not be X).
        double[] x = result.X;
        double theta = result.Objective;
        if (squared.BestX is not null && !(theta <= squared.BestTheta)) { x = squared.BestX; theta = squared.BestTheta; }
        var c = new double[model.M];
        model.Problem.Constraints(x, c);
        return new Outcome(x, model.Violation(x, c), stop, result.Iterations);
    }

    /// <summary>
    /// θ(x) and ∇θ = Jᵀr with rₖ = max(cₖ − uₖ, 0) − max(lₖ − cₖ, 0), plus the proximity term ζ/2·Σ((xᵢ − x_Rᵢ)/dᵢ)²,
    /// dᵢ = max(1, |x_Rᵢ|), when ζ &gt; 0. The best point and the early stop look at θ alone.
    /// </summary>
    private sealed class SquaredViolation(ConstrainedModel model, double target, CancellationTokenSource cts, double proximity, double[] reference) : IGradientProblem
    {
        private readonly double[] _c = new double[model.M];
        private readonly double[] _r = new double[model.M];
        private readonly double[] _jac = new double[model.M * model.N];

        public int Dimension => model.N;
        public double[]? BestX { get; private set; }
        public double BestTheta { get; private set; } = double.PositiveInfinity;

        public double Objective(ReadOnlySpan<double> x)
        {
            model.Problem.Constraints(x, _c);
            return Theta(x) + Proximity(x, default);
        }

        private double Proximity(ReadOnlySpan<double> x, Span<double> gradient)
        {
            if (proximity == 0) return 0;
            double sum = 0;
            for (int i = 0; i < x.Length; i++)
            {
                double d = Math.Max(1, Math.Abs(reference[i])), r = (x[i] - reference[i]) / d;
                sum += r * r;
                if (!gradient.IsEmpty) gradient[i] += proximity * r / d;
            }
            return 0.5 * proximity * sum;
        }

        public double Gradient(ReadOnlySpan<double> x, Span<double> gradient)
        {
            model.Problem.Constraints(x, _c);
            double theta = Theta(x);
            model.Problem.ConstraintJacobian(x, _jac);
            gradient.Clear();
            int n = model.N;
            for (int k = 0; k < model.M; k++)
            {
                if (_r[k] != 0) Vec.Axpy(_r[k], _jac.AsSpan(k * n, n), gradient);
            }
            return theta + Proximity(x, gradient);
        }

        private double Theta(ReadOnlySpan<double> x)
        {
            double theta = 0, violation = 0;
            for (int k = 0; k < model.M; k++)
            {
                double above = Math.Max(_c[k] - model.RowUpper[k], 0), below = Math.Max(model.RowLower[k] - _c[k], 0);
                _r[k] = above - below;
                theta += 0.5 * (above * above + below * below);
                violation = Math.Max(violation, Math.Max(above, below));
                if (double.IsNaN(_c[k])) theta = double.NaN;
            }
            if (theta < BestTheta)
            {
                BestTheta = theta;
                BestX ??= new double[model.N];
                x.CopyTo(BestX);
                if (violation <= target) cts.Cancel();
            }
            return theta;
        }
    }
}

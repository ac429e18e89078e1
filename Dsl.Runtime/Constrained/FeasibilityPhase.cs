using System;
using System.Threading;
using OptDsl.Runtime.Internal;

namespace OptDsl.Runtime.Constrained;

/// <summary>
/// The feasibility phase both constrained solvers fall back on: L-BFGS-B (<see cref="LbfgsSolver"/>) on
/// θ(x) = ½ Σₖ [max(cₖ − uₖ, 0)² + max(lₖ − cₖ, 0)²] inside the variable box, started at the current point.
/// It stops as soon as a point with violation ≤ tolerance/10 is evaluated (a feasible point: the caller resumes from it),
/// or at a stationary point of θ with θ &gt; 0 (a locally least-infeasible point: the problem is declared infeasible).
/// </summary>
internal static class FeasibilityPhase
{
    public readonly record struct Outcome(double[] X, double Violation, SolveStatus? Stop, int Iterations);

    public static Outcome Run(ConstrainedModel model, IterationMonitor monitor, ReadOnlySpan<double> start, double feasibilityTolerance)
    {
        var caller = monitor.Options.CancellationToken;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(caller);
        var squared = new SquaredViolation(model, 0.1 * feasibilityTolerance, cts);
        int n = model.N;
        var options = monitor.NestedOptions(1e-13, 2000 + 50 * n, cts.Token);
        SolveResult result;
        if (options.MaxEvaluations > 0 && monitor.RemainingEvaluations <= 0)
            return new Outcome(start.ToArray(), double.NaN, SolveStatus.MaxEvaluations, 0);
        result = new LbfgsSolver().Minimize(squared, start, options, model.Bounds);
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

    /// <summary>θ(x) and ∇θ = Jᵀr with rₖ = max(cₖ − uₖ, 0) − max(lₖ − cₖ, 0).</summary>
    private sealed class SquaredViolation(ConstrainedModel model, double target, CancellationTokenSource cts) : IGradientProblem
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
            return Theta(x);
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
            return theta;
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

using System;
using OptDsl.Runtime.Internal;
using OptDsl.Runtime.LineSearch;
using OptDsl.Runtime.Linear;

namespace OptDsl.Runtime;

/// <summary>
/// Newton's method with the exact Hessian (<c>.opt</c> name <c>newton</c>); no bounds.
/// <list type="bullet">
/// <item><see cref="TrustRegion"/> false (default): the step solves (∇²f + μI + E)p = −∇f, where μ is the current
/// Levenberg shift and E ≥ 0 the diagonal correction of the Gill–Murray–Wright modified Cholesky factorization
/// (zero when ∇²f + μI is safely positive definite), followed by Armijo backtracking from the unit step.</item>
/// <item><see cref="TrustRegion"/> true: the exact trust-region subproblem (Moré–Sorensen, solved in the Hessian's
/// eigenbasis, hard case included) with the classical radius update (ratio thresholds 0.25 / 0.75, Δ₀ = 1).</item>
/// </list>
/// <see cref="Damping"/> is the initial Levenberg shift μ₀ added to the Hessian; it is divided by 10 after every
/// iteration whose full step was accepted, and multiplied by 4 after one that needed backtracking or a radius cut.
/// </summary>
public sealed class NewtonSolver : Solver<ISecondOrderProblem>
{
    /// <summary>Use a trust region instead of a line search (<c>trust_region</c>).</summary>
    public bool TrustRegion { get; set; }

    /// <summary>Initial Levenberg shift μ₀ ≥ 0 (<c>damping</c>).</summary>
    public double Damping { get; set; }

    /// <summary><c>newton</c>.</summary>
    public override string Name => "newton";

    /// <summary>Newton takes no bounds: finite bounds are an <see cref="ArgumentException"/>.</summary>
    private protected override bool HandlesBounds => false;

    private protected override void CheckSettings() => Arguments.NonNegative(Damping, nameof(Damping), Name);

    private protected override SolveResult Solve(ISecondOrderProblem problem, double[] x, Box box, IterationMonitor monitor)
    {
        int n = x.Length;
        var state = new State(n);

        if (monitor.EvaluateStart(problem, x, state.G, box, out double f, out double gnorm) is { } done) return done;

        double mu = Damping;
        double radius = Math.Max(1.0, Vec.Norm(x));
        SolveStatus status;
        string? message = null;
        while (!monitor.ShouldStop(out status))
        {
            monitor.Hessian(problem, x, state.H);
            for (int i = 0; i < n; i++) state.H[i * n + i] += mu;
            if (!Vec.AllFinite(state.H))
            {
                status = SolveStatus.Diverged;
                message = "Diverged: the Hessian is not finite.";
                break;
            }
            StepOutcome outcome = TrustRegion
                ? TrustRegionStep(problem, monitor, x, f, state, ref radius)
                : LineSearchStep(problem, monitor, x, f, state);
            if (outcome.Status is { } stop)
            {
                status = stop;
                message = outcome.Message;
                break;
            }
            mu = outcome.FullStep ? mu / 10 : mu * 4;

            double fOld = f;
            double step = Vec.InfDistance(state.XTrial, x);
            state.XTrial.CopyTo(x, 0);
            state.GTrial.CopyTo(state.G, 0);
            f = outcome.F;
            gnorm = Vec.InfNorm(state.G);
            // Trust region: the step test uses the radius (as MINPACK), since one short step inside a large region is no sign of convergence.
            double? stoppingStep = TrustRegion ? Math.Max(step, radius) : null;
            if (monitor.CompleteIteration(fOld, f, gnorm, step, Vec.InfNorm(x), out status, stoppingStepNorm: stoppingStep)) break;
        }
        return monitor.Result(x, f, gnorm, status, message);
    }

    private readonly record struct StepOutcome(double F, bool FullStep, SolveStatus? Status = null, string? Message = null);

    private sealed class State(int n)
    {
        public readonly double[] G = new double[n];
        public readonly double[] H = new double[n * n];
        public readonly double[] L = new double[n * n];
        public readonly double[] P = new double[n];
        public readonly double[] Pivots = new double[n];
        public readonly double[] XTrial = new double[n];
        public readonly double[] GTrial = new double[n];
        public readonly TrustRegionSubproblem Subproblem = new(n);
    }

    private static StepOutcome LineSearchStep(ISecondOrderProblem problem, IterationMonitor monitor, double[] x, double f, State s)
    {
        int n = x.Length;
        double correction = Cholesky.FactorGillMurray(s.H, s.L, n, s.Pivots);
        if (double.IsNaN(correction)) return new(f, false, SolveStatus.Diverged, "Diverged: the Hessian is not finite.");
        for (int i = 0; i < n; i++) s.P[i] = -s.G[i];
        Cholesky.Solve(s.L, n, s.P);
        double slope = Vec.Dot(s.G, s.P);
        if (!(slope < 0)) return new(f, false, SolveStatus.LineSearchFailed, "The Newton direction is not a descent direction (rounding).");

        double alpha = 1.0;
        bool anyFinite = false;
        for (int k = 0; k < Armijo.MaxBacktracks; k++)
        {
            if (monitor.EvaluationBudgetExhausted) return new(f, false, SolveStatus.MaxEvaluations);
            Vec.AddScaled(x, alpha, s.P, s.XTrial);
            double fTrial = monitor.Gradient(problem, s.XTrial, s.GTrial);
            bool finite = double.IsFinite(fTrial) && Vec.AllFinite(s.GTrial);
            anyFinite |= finite;
            if (finite && Armijo.IsSufficient(f, fTrial, alpha * slope)) return new(fTrial, k == 0);
            if (alpha * Vec.InfNorm(s.P) <= 1e-16 * (1 + Vec.InfNorm(x))) break;
            alpha = Armijo.Shorten(alpha, f, slope, finite ? fTrial : double.NaN);
        }
        return anyFinite
            ? new(f, false, SolveStatus.LineSearchFailed, $"Backtracking along the Newton direction found no sufficient decrease; |g|∞ = {Vec.InfNorm(s.G):G3}.")
            : new(f, false, SolveStatus.Diverged, "Diverged: the objective or gradient was NaN or infinite at every trial step; X is the last finite point.");
    }

    private static StepOutcome TrustRegionStep(ISecondOrderProblem problem, IterationMonitor monitor, double[] x, double f, State s, ref double radius)
    {
        int n = x.Length;
        if (!s.Subproblem.SetModel(s.H, s.G)) return new(f, false, SolveStatus.Diverged, "Diverged: the Hessian is not finite.");
        bool full = true, anyFinite = false;
        while (true)
        {
            if (monitor.EvaluationBudgetExhausted) return new(f, false, SolveStatus.MaxEvaluations);
            if (monitor.Options.CancellationToken.IsCancellationRequested) return new(f, false, SolveStatus.Cancelled);
            double predicted = s.Subproblem.Solve(radius, s.P);
            double pnorm = Vec.Norm(s.P);
            Vec.AddScaled(x, 1.0, s.P, s.XTrial);
            double fTrial = monitor.Gradient(problem, s.XTrial, s.GTrial);
            bool finite = double.IsFinite(fTrial) && Vec.AllFinite(s.GTrial);
            anyFinite |= finite;
            double rho = finite && predicted > 0 ? (f - fTrial) / predicted : double.NegativeInfinity;
            if (rho < 0.25) radius = 0.25 * pnorm;
            else if (rho > 0.75 && pnorm >= 0.99 * radius) radius = Math.Min(2 * radius, 1e300);
            if (rho > 1e-4 || (finite && predicted > 0 && fTrial < f && predicted <= 1e-15 * Math.Abs(f)))
                return new(fTrial, full);
            full = false;
            if (radius <= 1e-16 * (1 + Vec.Norm(x)) || !(predicted > 0))
            {
                return anyFinite
                    ? new(f, false, monitor.NoProgress(monitor.OptimalityError(Vec.InfNorm(s.G), f), $"the trust region shrank to {radius:G3} without an acceptable step (no further decrease is possible at machine precision)"))
                    : new(f, false, SolveStatus.Diverged, "Diverged: the objective or gradient was NaN or infinite at every trial step.");
            }
        }
    }
}

using System;
using OptDsl.Runtime.Internal;

namespace OptDsl.Runtime;

/// <summary>
/// Truncated Newton in a trust region (<c>.opt</c> name <c>newton_cg</c>): each step is the Steihaug–Toint conjugate
/// gradient iteration on ∇²f·p = −∇f using only Hessian-vector products, stopped at the trust-region boundary, at a
/// direction of non-positive curvature, or when ‖∇²f·p + ∇f‖ ≤ η‖∇f‖ with the forcing term η = min(0.5, √‖∇f‖)
/// (or η = <see cref="CgTolerance"/>). The radius starts at max(1, ‖x₀‖) and follows the usual 0.25 / 0.75 ratio rules.
/// <see cref="SolveResult.HessianEvaluations"/> counts Hessian-vector products. No bounds.
/// </summary>
public sealed class NewtonCgSolver : Solver<ISecondOrderProblem>
{
    /// <summary>Relative residual tolerance η ≥ 0 of the inner CG (<c>cg_tol</c>); null for the forcing sequence min(0.5, √‖∇f‖). 0 turns the residual test off: CG runs to the boundary, to non-positive curvature or to 2n + 10 steps.</summary>
    public double? CgTolerance { get; set; }

    /// <summary>Computes the trust-region ratio with Conn–Gould–Toint's rounding correction; set by the augmented Lagrangian for its inner solves.</summary>
    internal bool NoiseTolerantRatio { get; set; }

    /// <summary><c>newton_cg</c>.</summary>
    public override string Name => "newton_cg";

    /// <summary>Newton-CG takes no bounds: finite bounds are an <see cref="ArgumentException"/>.</summary>
    private protected override bool HandlesBounds => false;

    private protected override void CheckSettings()
    {
        if (CgTolerance is { } eta) Arguments.NonNegative(eta, nameof(CgTolerance), Name);
    }

    private protected override SolveResult Solve(ISecondOrderProblem problem, double[] x, Box box, IterationMonitor monitor)
    {
        int n = x.Length;
        var g = new double[n];
        var p = new double[n];
        var r = new double[n];
        var d = new double[n];
        var bd = new double[n];
        var xTrial = new double[n];
        var gTrial = new double[n];

        if (monitor.EvaluateStart(problem, x, g, box, out double f, out double gnorm) is { } done) return done;

        double radius = Math.Max(1.0, Vec.Norm(x));
        SolveStatus status;
        string? message = null;
        while (!monitor.ShouldStop(out status))
        {
            double g2 = Vec.Norm(g);
            double tolerance = (CgTolerance ?? Math.Min(0.5, Math.Sqrt(g2))) * g2;
            bool accepted = false;
            SolveStatus? stop = null;
            bool anyFinite = false;
            double fTrial = f;
            while (!accepted)
            {
                if (monitor.Options.CancellationToken.IsCancellationRequested) { stop = SolveStatus.Cancelled; break; }
                if (monitor.EvaluationBudgetExhausted) { stop = SolveStatus.MaxEvaluations; break; }
                double predicted = Steihaug(problem, monitor, x, g, radius, tolerance, p, r, d, bd);
                if (!double.IsFinite(predicted)) { stop = SolveStatus.Diverged; message = "Diverged: a Hessian-vector product is not finite."; break; }
                double pnorm = Vec.Norm(p);
                Vec.AddScaled(x, 1.0, p, xTrial);
                fTrial = monitor.Gradient(problem, xTrial, gTrial);
                bool finite = double.IsFinite(fTrial) && Vec.AllFinite(gTrial);
                anyFinite |= finite;
                // With NoiseTolerantRatio, both reductions get δ = 10ε·max(1, |f|) (Conn, Gould & Toint, Trust-Region Methods,
                // §17.4.2), so that a step whose actual and predicted reductions are both at the rounding level of f counts as agreeing.
                double noise = NoiseTolerantRatio ? 10 * 2.220446049250313e-16 * Math.Max(1, Math.Abs(f)) : 0;
                double rho = finite && predicted > 0 ? (f - fTrial + noise) / (predicted + noise) : double.NegativeInfinity;
                if (rho < 0.25) radius = 0.25 * pnorm;
                else if (rho > 0.75 && pnorm >= 0.99 * radius) radius = Math.Min(2 * radius, 1e300);
                if (rho > 1e-4) { accepted = true; break; }
                if (radius <= 1e-16 * (1 + Vec.Norm(x)) || !(predicted > 0))
                {
                    stop = anyFinite
                        ? monitor.NoProgress(monitor.OptimalityError(gnorm, f), $"the trust region shrank to {radius:G3} without an acceptable step (no further decrease is possible at machine precision)")
                        : SolveStatus.Diverged;
                    message = anyFinite ? null : "Diverged: the objective or gradient was NaN or infinite at every trial step.";
                    break;
                }
            }
            if (stop is { } s) { status = s; break; }

            double fOld = f;
            double step = Vec.InfDistance(xTrial, x);
            xTrial.CopyTo(x, 0);
            gTrial.CopyTo(g, 0);
            f = fTrial;
            gnorm = Vec.InfNorm(g);
            // The step test uses the radius (as MINPACK): one short CG step inside a large region is no sign of convergence.
            if (monitor.CompleteIteration(fOld, f, gnorm, step, Vec.InfNorm(x), out status, stoppingStepNorm: Math.Max(step, radius))) break;
        }
        return monitor.Result(x, f, gnorm, status, message);
    }

    /// <summary>
    /// Steihaug–Toint CG for min m(p) = gᵀp + ½pᵀHp, ‖p‖ ≤ Δ. Writes p and returns the model decrease −m(p)
    /// (NaN if a Hessian-vector product is not finite).
    /// </summary>
    private static double Steihaug(ISecondOrderProblem problem, IterationMonitor monitor, double[] x, double[] g, double radius, double tolerance,
        double[] p, double[] r, double[] d, double[] bd)
    {
        int n = x.Length;
        Array.Clear(p);
        g.CopyTo(r, 0);
        for (int i = 0; i < n; i++) d[i] = -r[i];
        double rr = Vec.Dot(r, r);
        double model = 0; // m(p) for the current iterate
        int maxIterations = 2 * n + 10;
        for (int k = 0; k < maxIterations; k++)
        {
            monitor.HessianVectorProduct(problem, x, d, bd);
            if (!Vec.AllFinite(bd)) return double.NaN;
            double curvature = Vec.Dot(d, bd);
            double alpha = rr / curvature;
            double pd = Vec.Dot(p, d), pp = Vec.Dot(p, p), dd = Vec.Dot(d, d);
            if (curvature <= 0 || pp + 2 * alpha * pd + alpha * alpha * dd >= radius * radius)
            {
                // Non-positive curvature or leaving the region: go to the boundary along d.
                double tau = ToBoundary(p, d, radius);
                double boundaryModel = model + tau * Vec.Dot(d, r) + 0.5 * tau * tau * curvature;
                Vec.Axpy(tau, d, p);
                return -boundaryModel;
            }
            model += alpha * Vec.Dot(d, r) + 0.5 * alpha * alpha * curvature;
            Vec.Axpy(alpha, d, p);
            Vec.Axpy(alpha, bd, r);
            double rrNew = Vec.Dot(r, r);
            if (Math.Sqrt(rrNew) <= tolerance) return -model;
            double beta = rrNew / rr;
            rr = rrNew;
            for (int i = 0; i < n; i++) d[i] = -r[i] + beta * d[i];
        }
        return -model;
    }

    /// <summary>The τ ≥ 0 with ‖p + τd‖ = Δ.</summary>
    private static double ToBoundary(double[] p, double[] d, double radius)
    {
        double pd = Vec.Dot(p, d), dd = Vec.Dot(d, d), pp = Vec.Dot(p, p);
        double disc = Math.Sqrt(Math.Max(0, pd * pd + dd * (radius * radius - pp)));
        // Stable form of the positive root (−pd + disc)/dd.
        return pd >= 0 ? (radius * radius - pp) / (pd + disc) : (-pd + disc) / dd;
    }
}

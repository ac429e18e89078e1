using System;
using OptDsl.Runtime.Constrained;
using OptDsl.Runtime.Internal;

namespace OptDsl.Runtime;

/// <summary>
/// Primal-dual interior-point method for constrained problems (<c>.opt</c> name <c>ipm</c>), after IPOPT
/// (Wächter &amp; Biegler, Math. Programming 106, 2006), with dense linear algebra:
/// <list type="bullet">
/// <item>slacks for inequality rows, a logarithmic barrier on the variable and slack bounds;</item>
/// <item>Newton steps on the primal-dual equations with the exact Hessian of the Lagrangian, from the symmetric KKT matrix
/// factored by Bunch–Kaufman LDLᵀ; inertia correction (δ_w I, −δ_c I) until the inertia is right;</item>
/// <item>fraction-to-boundary rule, filter line search with second-order corrections and rounding-aware comparisons, and
/// a feasibility phase (L-BFGS-B on the squared violation with IPOPT's proximity term, multipliers kept) in place of
/// IPOPT's restoration;</item>
/// <item>automatic scaling of the objective and the rows (<see cref="Scaling"/>) and a symmetrically equilibrated KKT
/// matrix;</item>
/// <item>the monotone (Fiacco–McCormick) barrier update from μ₀ = <see cref="InitialBarrier"/>.</item>
/// </list>
/// Converged means the KKT residuals of the original problem (<see cref="SolveResult.Kkt"/>) meet the tolerances:
/// stationarity and dual feasibility ≤ <see cref="SolveOptions.GradientTolerance"/>, primal feasibility and
/// complementarity ≤ <see cref="FeasibilityTolerance"/>. <see cref="SolveResult.Multipliers"/> follows the sign convention
/// of <see cref="IConstrainedProblem"/>: L = f + Σλₖcₖ, λₖ ≥ 0 at an upper bound, ≤ 0 at a lower bound; the variable-bound
/// multipliers z (∇f + Jᵀλ + z = 0, same signs) are under the key <c>"bounds"</c> when the bounds have a finite entry.
/// <see cref="SolveResult.Iterations"/> counts interior-point iterations.
/// </summary>
public sealed class InteriorPointSolver : Solver<IConstrainedProblem>
{
    /// <summary>The initial barrier parameter μ₀ (<c>mu0</c>); null for 0.1 (IPOPT's default).</summary>
    public double? InitialBarrier { get; set; }

    /// <summary>
    /// Gradient-based scaling (<c>scaling</c>, default on): the objective and each constraint row are multiplied by
    /// 100/‖gradient at the start‖∞ where that exceeds 100 (IPOPT's rule), and small gradients are scaled up (see
    /// docs/constrained.md, "Automatic scaling"); the result is reported in the problem's own units. Converged is decided
    /// on the scaled problem, as IPOPT's, and also under the factors of the final point; the message gives the factors.
    /// </summary>
    public bool Scaling { get; set; } = true;

    /// <summary>Tolerance on the primal feasibility (largest row or bound violation) and the complementarity of the result (default 1e-8).</summary>
    public double FeasibilityTolerance { get; set; } = 1e-8;

    /// <summary><c>ipm</c>.</summary>
    public override string Name => "ipm";

    private protected override void CheckSettings()
    {
        if (InitialBarrier is { } mu0) Arguments.Positive(mu0, nameof(InitialBarrier), Name);
        Arguments.NonNegative(FeasibilityTolerance, nameof(FeasibilityTolerance), Name);
    }

    private protected override SolveResult Solve(IConstrainedProblem problem, double[] x, Box box, IterationMonitor monitor)
    {
        double mu0 = InitialBarrier ?? 0.1;
        return ConstrainedModel.Create(problem, box, Name).SolveScaled(monitor, x, Scaling, (model, start, pass) =>
        {
            // A resumption starts near a solution: at the barrier parameter reached, pushed off the bounds by 1e-8.
            var ipm = new InteriorPoint(model, monitor, mu0, FeasibilityTolerance);
            var result = ipm.Run(start, warm: pass > 0);
            mu0 = ipm.Barrier;
            return (result, ipm.NeedsRescaling);
        });
    }
}

using OptDsl.Runtime.Internal;
using OptDsl.Runtime.LineSearch;
using OptDsl.Runtime.QuasiNewton;

namespace OptDsl.Runtime;

/// <summary>
/// Dense BFGS (<c>.opt</c> name <c>bfgs</c>) with the Moré–Thuente strong-Wolfe line search.
/// Without finite bounds it updates the inverse Hessian approximation H (Nocedal &amp; Wright, eq. 6.17),
/// scaled by sᵀy/yᵀy before the first update (eq. 6.20). With bounds it updates the Hessian approximation B
/// itself and takes the L-BFGS-B step with that dense matrix: generalized Cauchy point along the projected
/// gradient path, Cholesky solve of the model over the free variables, projection into the box, then the
/// line search on the feasible segment. Updates with sᵀy ≤ ε·yᵀy are skipped.
/// The iteration is L-BFGS's (<see cref="LbfgsSolver"/>) with a dense model.
/// </summary>
public sealed class BfgsSolver : Solver<IGradientProblem>
{
    /// <summary>Line searches also accept Hager–Zhang approximate Wolfe steps (see <see cref="WolfeLineSearch"/>); set by the augmented Lagrangian for its inner solves.</summary>
    internal bool ApproximateWolfe { get; set; }

    /// <summary><c>bfgs</c>.</summary>
    public override string Name => "bfgs";

    private protected override SolveResult Solve(IGradientProblem problem, double[] x, Box box, IterationMonitor monitor) =>
        QuasiNewtonLoop.Run(new DenseBfgsModel(x.Length, box.IsBounded), problem, x, box, monitor, ApproximateWolfe);
}

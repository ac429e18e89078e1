using System;
using OptDsl.Runtime.Constrained;
using OptDsl.Runtime.Internal;

namespace OptDsl.Runtime;

/// <summary>
/// Augmented Lagrangian method for constrained problems (<c>.opt</c> name <c>auglag</c>), in the manner of
/// Conn, Gould &amp; Toint's LANCELOT (Nocedal &amp; Wright 2006, §17.4, Algorithm 17.4):
/// <list type="bullet">
/// <item>inequality and two-sided rows in the Powell–Hestenes–Rockafellar form (slacks eliminated in closed form);</item>
/// <item>bound-constrained subproblems min f + Σψₖ(x; λ, ρ) over the variable box, solved by <see cref="Inner"/>
/// (the project's solvers; for <c>newton</c>/<c>newton_cg</c>, which take no bounds, the bounds become rows);</item>
/// <item>first-order multiplier updates when the constraint progress ν = ‖c − s*‖∞ meets η, tenfold penalty increases
/// otherwise; subproblem tolerances ω and η tightened as the outer iteration proceeds (ω ← ω/ρ, η ← η/ρ^0.9).</item>
/// </list>
/// <see cref="SolveResult.Iterations"/> counts outer iterations; <see cref="SolveOptions.MaxIterations"/> bounds both the
/// outer iterations and each inner solve; the evaluation counters include every inner evaluation. Convergence, the
/// multiplier convention, the <c>"bounds"</c> key and the statuses are those of <see cref="InteriorPointSolver"/>.
/// </summary>
public sealed class AugmentedLagrangianSolver : Solver<IConstrainedProblem>
{
    /// <summary>The inner solver (<c>inner</c>, default L-BFGS).</summary>
    public InnerSolver Inner { get; set; } = InnerSolver.Lbfgs;

    /// <summary>The initial penalty parameter ρ₀ (<c>rho</c>); null for 10.</summary>
    public double? InitialPenalty { get; set; }

    /// <summary>IPOPT's gradient-based scaling (<c>scaling</c>, default on), as for <see cref="InteriorPointSolver.Scaling"/>.</summary>
    public bool Scaling { get; set; } = true;

    /// <summary>Tolerance on the primal feasibility (largest row or bound violation) and the complementarity of the result (default 1e-8).</summary>
    public double FeasibilityTolerance { get; set; } = 1e-8;

    /// <summary><c>auglag</c>.</summary>
    public override string Name => "auglag";

    private protected override void CheckSettings()
    {
        if (InitialPenalty is { } rho) Arguments.Positive(rho, nameof(InitialPenalty), Name);
        Arguments.NonNegative(FeasibilityTolerance, nameof(FeasibilityTolerance), Name);
        if (!Enum.IsDefined(Inner)) throw new ArgumentException($"{Name}: Inner is not a known inner solver (got {(int)Inner}).", nameof(Inner));
    }

    private protected override SolveResult Solve(IConstrainedProblem problem, double[] x, Box box, IterationMonitor monitor)
    {
        return ConstrainedModel.Create(problem, box, Name).SolveScaled(monitor, x, Scaling, (model, start, _) =>
        {
            var method = new AugmentedLagrangian(model, monitor, Inner, InitialPenalty ?? 10, FeasibilityTolerance);
            return (method.Run(start), method.NeedsRescaling);
        });
    }
}

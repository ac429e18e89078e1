using System;
using OptDsl.Runtime.Internal;
using OptDsl.Runtime.LineSearch;
using OptDsl.Runtime.QuasiNewton;

namespace OptDsl.Runtime;

/// <summary>
/// Limited-memory BFGS (<c>.opt</c> name <c>lbfgs</c>). Without finite bounds: the two-loop recursion
/// (Nocedal 1980) with H₀ = (sᵀy/yᵀy)·I and the Moré–Thuente strong-Wolfe line search. With bounds:
/// L-BFGS-B (Byrd, Lu, Nocedal &amp; Zhu 1995, with the Morales–Nocedal 2011 projection of the subspace step):
/// generalized Cauchy point, subspace minimization over the free variables, then the same line search along
/// the feasible segment. Stationarity is measured by ‖x − P(x − ∇f)‖∞.
/// </summary>
public sealed class LbfgsSolver : Solver<IGradientProblem>
{
    /// <summary>Line searches also accept Hager–Zhang approximate Wolfe steps (see <see cref="WolfeLineSearch"/>); set by the augmented Lagrangian for its inner solves.</summary>
    internal bool ApproximateWolfe { get; set; }

    /// <summary>Number of correction pairs kept (<c>memory</c>, default 10).</summary>
    public int Memory { get; set; } = 10;

    /// <summary><c>lbfgs</c>.</summary>
    public override string Name => "lbfgs";

    private protected override void CheckSettings()
    {
        if (Memory < 1 || Memory > OptionLimits.MaxLbfgsMemory)
            throw new ArgumentException($"{Name}: Memory must lie in [1, {OptionLimits.MaxLbfgsMemory}] (got {Memory}).", nameof(Memory));
    }

    private protected override SolveResult Solve(IGradientProblem problem, double[] x, Box box, IterationMonitor monitor) =>
        QuasiNewtonLoop.Run(new LimitedMemoryModel(x.Length, Memory, box.IsBounded), problem, x, box, monitor, ApproximateWolfe);
}

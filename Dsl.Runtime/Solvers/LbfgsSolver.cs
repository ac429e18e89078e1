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
public sealed class LbfgsSolver
{
    private const string Name = "lbfgs";

    /// <summary>Line searches also accept Hager–Zhang approximate Wolfe steps (see <see cref="WolfeLineSearch"/>); set by the augmented Lagrangian for its inner solves.</summary>
    internal bool ApproximateWolfe { get; set; }

    /// <summary>Number of correction pairs kept (<c>memory</c>, default 10).</summary>
    public int Memory { get; set; } = 10;

    public SolveResult Minimize(IGradientProblem problem, ReadOnlySpan<double> start, SolveOptions? options = null, Bounds? bounds = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        if (Memory < 1 || Memory > Internal.OptionLimits.MaxLbfgsMemory)
            throw new ArgumentException($"{Name}: Memory must lie in [1, {Internal.OptionLimits.MaxLbfgsMemory}] (got {Memory}).", nameof(Memory));
        var monitor = new IterationMonitor(Name, options);
        int n = problem.Dimension;
        var x = Arguments.StartPoint(problem, n, start, bounds, Name);
        var box = Box.From(bounds, n);

        var g = new double[n];
        var d = new double[n];
        // The compact tables SᵀY, SᵀS are read by the L-BFGS-B subproblem only.
        var memory = new LbfgsMemory(n, Memory, compactTables: box.IsBounded);
        var subproblem = box.IsBounded ? new LbfgsbSubproblem(n, Memory) : null;
        var search = new WolfeLineSearch(n, ApproximateWolfe);

        if (monitor.EvaluateStart(problem, x, g, out double f) is { } diverged) return diverged;
        double gnorm = box.ProjectedGradientNorm(x, g);
        if (monitor.IsStationary(gnorm)) return monitor.Result(x, f, gnorm, SolveStatus.Converged);

        SolveStatus status;
        string? message = null;
        while (!monitor.ShouldStop(out status))
        {
            bool accepted = false;
            LineSearchOutcome outcome = LineSearchOutcome.Failed;
            // At most two attempts: the quasi-Newton direction, then steepest descent after clearing the memory.
            for (int attempt = 0; attempt < 2 && !accepted; attempt++)
            {
                if (attempt == 1)
                {
                    if (memory.Count == 0) break;
                    memory.Clear();
                }
                if (subproblem is not null)
                {
                    if (!subproblem.Solve(memory, box, x, g, d))
                    {
                        memory.Clear();
                        subproblem.Solve(memory, box, x, g, d);
                    }
                    System.Numerics.Tensors.TensorPrimitives.Subtract(d, x, d);
                }
                else
                {
                    memory.ApplyInverse(g, d);
                    System.Numerics.Tensors.TensorPrimitives.Negate(d, d);
                }
                double slope = Vec.Dot(g, d);
                if (!(slope < 0)) { outcome = LineSearchOutcome.Failed; continue; }

                double maxStep = subproblem is null ? 1e10 : Math.Max(1.0, box.MaxFeasibleStep(x, d, 1e10));
                double initialStep = 1.0;
                if (memory.Count == 0)
                {
                    if (subproblem is not null) maxStep = 1.0;
                    initialStep = Math.Min(1.0 / Vec.Norm(d), maxStep);
                }
                outcome = search.Search(problem, monitor, box, x, f, d, slope, initialStep, maxStep);
                accepted = outcome is LineSearchOutcome.Wolfe or LineSearchOutcome.Decrease;
                if (outcome is LineSearchOutcome.NonFinite or LineSearchOutcome.BudgetExhausted) break;
            }

            if (!accepted)
            {
                (status, message) = outcome switch
                {
                    LineSearchOutcome.NonFinite => (SolveStatus.Diverged, "Diverged: the objective or gradient was NaN or infinite at every trial step; X is the last finite point."),
                    LineSearchOutcome.BudgetExhausted => (SolveStatus.MaxEvaluations, (string?)null),
                    _ => (SolveStatus.LineSearchFailed, $"The line search found no decrease along the quasi-Newton or the steepest-descent direction ({search.Detail}); |g|∞ = {gnorm:G3}. At a minimizer this means the gradient tolerance is below the rounding level of the gradient; otherwise check the gradient."),
                };
                break;
            }

            double fOld = f;
            // s and y go straight into the memory's free slot.
            var s = memory.NextS;
            System.Numerics.Tensors.TensorPrimitives.Subtract(search.X, x, s);
            System.Numerics.Tensors.TensorPrimitives.Subtract(search.G, g, memory.NextY);
            double stepNorm = Vec.InfNorm(s);
            memory.TryPush();
            search.X.CopyTo(x);
            search.G.CopyTo(g);
            f = search.F;
            gnorm = box.ProjectedGradientNorm(x, g);
            // The step test uses the proposed step d (not α·d): a short step from the line search alone is no sign of convergence.
            if (monitor.CompleteIteration(fOld, f, gnorm, stepNorm, Vec.InfNorm(x), out status, stoppingStepNorm: Math.Max(stepNorm, Vec.InfNorm(d)))) break;
        }
        return monitor.Result(x, f, gnorm, status, message);
    }
}

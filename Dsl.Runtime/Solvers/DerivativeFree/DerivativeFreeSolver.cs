using OptDsl.Runtime.Internal;

namespace OptDsl.Runtime;

/// <summary>
/// What the derivative-free solvers share: they need only objective values, may polish their best point with a gradient
/// solver, and test the gradient at the end where the objective has one (<see cref="DerivativeFreeEnd"/>). Every one but
/// <see cref="NelderMeadSolver"/> searches a box and needs finite bounds on every variable.
/// </summary>
public abstract class DerivativeFreeSolver : Solver<IObjectiveProblem>
{
    private protected DerivativeFreeSolver()
    {
    }

    /// <summary>
    /// The objective is differentiable, so its gradient may judge the final point (set by generated code for objectives
    /// without <c>abs</c>, <c>max</c> and the other kinked functions). False: the end is <see cref="SolveStatus.Unverified"/>.
    /// </summary>
    public bool VerifyWithGradient { get; set; }

    /// <summary>A gradient solver that refines the best point (<c>polish: lbfgs</c>), or null.</summary>
    public InnerSolver? Polish { get; set; }

    /// <summary>True for the methods that search a box (finite bounds on every variable).</summary>
    private protected virtual bool NeedsBox => true;

    private protected sealed override SolveResult Solve(IObjectiveProblem problem, double[] x, Box box, IterationMonitor monitor)
    {
        if (NeedsBox) SearchBox.RequireFinite(box, x.Length, Name);
        DerivativeFreeEnd.Check(problem, Polish, box.IsBounded, Name);
        return Search(problem, x, box, monitor);
    }

    /// <summary>The method, from the checked start point (the box checked too when <see cref="NeedsBox"/>).</summary>
    private protected abstract SolveResult Search(IObjectiveProblem problem, double[] x, Box box, IterationMonitor monitor);

    /// <summary>The end by the method's own rule: <see cref="DerivativeFreeEnd.Finish"/> with this solver's polish and gradient test.</summary>
    private protected SolveResult Finish(IObjectiveProblem problem, double[] x, double f, Box box, IterationMonitor monitor, string rule) =>
        DerivativeFreeEnd.Finish(problem, x, f, box, monitor, VerifyWithGradient, Polish, rule);
}

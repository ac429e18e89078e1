using System;
using OptDsl.Runtime.Internal;

namespace OptDsl.Runtime;

/// <summary>
/// What every solver does the same way before its method starts: the argument checks (the solver's own settings, the
/// <see cref="SolveOptions"/>, the problem's sizes, the start point and the bounds), the copy of the start point clipped
/// into the box, and the iteration monitor that keeps the counters, limits, history and progress reports and builds the
/// <see cref="SolveResult"/>. Each solver class adds only its settings and its method.
/// </summary>
/// <typeparam name="TProblem">The least a problem must provide for this solver (a richer problem will do).</typeparam>
/// <remarks>
/// The solvers of this library derive from this class; it cannot be derived from outside it. Use it as a type to choose
/// a solver at run time: <c>Solver&lt;IGradientProblem&gt; solver = exact ? new BfgsSolver() : new LbfgsSolver();</c>.
/// </remarks>
public abstract class Solver<TProblem> where TProblem : class, IObjectiveProblem
{
    private protected Solver()
    {
    }

    /// <summary>The solver's <c>.opt</c> name, as reported in <see cref="SolveResult.Solver"/> and in exception messages.</summary>
    public abstract string Name { get; }

    /// <summary>
    /// Minimizes <paramref name="problem"/> from <paramref name="start"/>. The start is copied and clipped into
    /// <paramref name="bounds"/>; the solve stops on the first of the tests described by <see cref="SolveOptions"/>, on
    /// cancellation (status <see cref="SolveStatus.Cancelled"/>, never an exception), or when the method can make no
    /// further progress, and <see cref="SolveResult.Status"/> says which.
    /// </summary>
    /// <param name="problem">The problem, in minimization form.</param>
    /// <param name="start">The start point, of length <see cref="IObjectiveProblem.Dimension"/>, with finite entries.</param>
    /// <param name="options">Stopping rules and reporting; null for <see cref="SolveOptions.Default"/>.</param>
    /// <param name="bounds">Box constraints on the variables, or null for none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="problem"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// A setting of this solver or of <paramref name="options"/> is out of range; the problem reports an invalid size; the
    /// start point has the wrong length or a NaN or infinite entry; the bounds have the wrong length; or the bounds have a
    /// finite entry and the solver takes none. The message names the solver and the problem type.
    /// </exception>
    public SolveResult Minimize(TProblem problem, ReadOnlySpan<double> start, SolveOptions? options = null, Bounds? bounds = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        CheckSettings();
        if (!HandlesBounds) Arguments.NoFiniteBounds(problem, bounds, Name);
        var monitor = new IterationMonitor(Name, options);
        CheckProblem(problem);
        int n = problem.Dimension;
        var x = Arguments.StartPoint(problem, n, start, bounds, Name);
        return Solve(problem, x, Box.From(bounds, n), monitor);
    }

    /// <summary>Checks the solver's own settings (an <see cref="ArgumentException"/> names the property).</summary>
    private protected virtual void CheckSettings()
    {
    }

    /// <summary>False for solvers that reject bounds with a finite entry.</summary>
    private protected virtual bool HandlesBounds => true;

    /// <summary>Checks sizes the problem reports beyond its dimension (e.g. a residual count).</summary>
    private protected virtual void CheckProblem(TProblem problem)
    {
    }

    /// <summary>The method, from the checked start point <paramref name="x"/> (inside <paramref name="box"/>; the solver may overwrite it).</summary>
    private protected abstract SolveResult Solve(TProblem problem, double[] x, Box box, IterationMonitor monitor);
}

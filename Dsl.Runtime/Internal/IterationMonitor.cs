using System;
using System.Collections.Generic;
using System.Diagnostics;

namespace OptDsl.Runtime.Internal;

/// <summary>
/// The bookkeeping every solver shares: evaluation counters, the iteration/evaluation/time limits,
/// cancellation, the gradient/step/function tolerances, history, progress reports and the final
/// <see cref="SolveResult"/>. A solver calls <see cref="ShouldStop"/> before each iteration and
/// <c>CompleteIteration</c> after it, and counts every call into the problem through the
/// <c>Evaluate*</c> methods.
/// </summary>
internal sealed class IterationMonitor
{
    private readonly long _startTimestamp = Stopwatch.GetTimestamp();
    private readonly List<IterationInfo>? _history;
    private readonly IProgress<IterationInfo>? _progress;

    public IterationMonitor(string solver, SolveOptions? options)
    {
        Solver = solver;
        Options = options ?? SolveOptions.Default;
        Arguments.Options(Options, solver);
        _progress = Options.Progress;
        if (Options.RecordHistory)
            _history = new List<IterationInfo>(Math.Min(Options.MaxIterations, 4096) + 1);
    }

    public string Solver { get; }
    public SolveOptions Options { get; }
    public int Iterations { get; private set; }

    /// <summary>Objective (or residual-vector) evaluations; a gradient call counts here too, since it returns f.</summary>
    public int FunctionEvaluations { get; private set; }
    public int GradientEvaluations { get; private set; }

    /// <summary>Dense Hessians, or Hessian-vector products for matrix-free methods.</summary>
    public int HessianEvaluations { get; private set; }

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_startTimestamp);

    /// <summary>True when <see cref="SolveOptions.MaxEvaluations"/> is set and used up.</summary>
    public bool EvaluationBudgetExhausted => Options.MaxEvaluations > 0 && FunctionEvaluations >= Options.MaxEvaluations;

    /// <summary>Evaluations left before the budget is used up (int.MaxValue without a budget).</summary>
    public int RemainingEvaluations => Options.MaxEvaluations > 0 ? Math.Max(0, Options.MaxEvaluations - FunctionEvaluations) : int.MaxValue;

    public double Objective(IObjectiveProblem problem, ReadOnlySpan<double> x)
    {
        FunctionEvaluations++;
        return problem.Objective(x);
    }

    public double Gradient(IGradientProblem problem, ReadOnlySpan<double> x, Span<double> gradient)
    {
        FunctionEvaluations++;
        GradientEvaluations++;
        return problem.Gradient(x, gradient);
    }

    public void Hessian(ISecondOrderProblem problem, ReadOnlySpan<double> x, Span<double> hessian)
    {
        HessianEvaluations++;
        problem.Hessian(x, hessian);
    }

    public void HessianVectorProduct(ISecondOrderProblem problem, ReadOnlySpan<double> x, ReadOnlySpan<double> v, Span<double> hv)
    {
        HessianEvaluations++;
        problem.HessianVectorProduct(x, v, hv);
    }

    public void Residuals(ILeastSquaresProblem problem, ReadOnlySpan<double> x, Span<double> residuals)
    {
        FunctionEvaluations++;
        problem.Residuals(x, residuals);
    }

    public void Jacobian(ILeastSquaresProblem problem, ReadOnlySpan<double> x, Span<double> jacobian)
    {
        GradientEvaluations++;
        problem.Jacobian(x, jacobian);
    }

    /// <summary>f(x) and the constraint values c(x): one function evaluation.</summary>
    public double ObjectiveAndConstraints(IConstrainedProblem problem, ReadOnlySpan<double> x, Span<double> constraints)
    {
        FunctionEvaluations++;
        problem.Constraints(x, constraints);
        return problem.Objective(x);
    }

    /// <summary>∇f(x) and the constraint Jacobian: one function and one gradient evaluation (the call returns f).</summary>
    public double GradientAndJacobian(IConstrainedProblem problem, ReadOnlySpan<double> x, Span<double> gradient, Span<double> jacobian)
    {
        FunctionEvaluations++;
        GradientEvaluations++;
        problem.ConstraintJacobian(x, jacobian);
        return problem.Gradient(x, gradient);
    }

    /// <summary>The dense Hessian of the Lagrangian: one Hessian evaluation.</summary>
    public void LagrangianHessian(IConstrainedProblem problem, ReadOnlySpan<double> x, ReadOnlySpan<double> multipliers, Span<double> hessian)
    {
        HessianEvaluations++;
        problem.LagrangianHessian(x, multipliers, hessian);
    }

    /// <summary>Adds the evaluations of a nested solve (inner solver, feasibility phase) to this monitor's counters.</summary>
    public void AddEvaluations(SolveResult inner)
    {
        FunctionEvaluations += inner.FunctionEvaluations;
        GradientEvaluations += inner.GradientEvaluations;
        HessianEvaluations += inner.HessianEvaluations;
    }

    /// <summary>
    /// Options for a nested solve that inherit this solve's remaining budget: the time left, the evaluations left,
    /// and <paramref name="token"/> (which should be linked to the caller's token). History is off.
    /// </summary>
    public SolveOptions NestedOptions(double gradientTolerance, int maxIterations, System.Threading.CancellationToken token)
    {
        TimeSpan? time = null;
        if (Options.TimeLimit is { } limit)
        {
            var left = limit - Elapsed;
            time = left > TimeSpan.Zero ? left : TimeSpan.FromTicks(1);
        }
        return new SolveOptions
        {
            GradientTolerance = gradientTolerance,
            StepTolerance = Options.StepTolerance,
            FunctionTolerance = Options.FunctionTolerance,
            MaxIterations = maxIterations,
            MaxEvaluations = Options.MaxEvaluations > 0 ? Math.Max(1, RemainingEvaluations) : 0,
            TimeLimit = time,
            RecordHistory = false,
            CancellationToken = token,
        };
    }

    /// <summary>True when the (projected) gradient norm meets <see cref="SolveOptions.GradientTolerance"/>.</summary>
    public bool IsStationary(double gradientNorm) => gradientNorm <= Options.GradientTolerance;

    /// <summary>
    /// Evaluates f and ∇f at the start point, as every solver's first step; a non-finite value there ends the solve
    /// as <see cref="SolveStatus.Diverged"/>, which is returned (null when the start is finite).
    /// </summary>
    public SolveResult? EvaluateStart(IGradientProblem problem, double[] x, Span<double> gradient, out double f)
    {
        f = Gradient(problem, x, gradient);
        return double.IsFinite(f) && Vec.AllFinite(gradient)
            ? null
            : Result(x, f, double.NaN, SolveStatus.Diverged, "Diverged: the objective or gradient is not finite at the start point.");
    }

    /// <summary>
    /// The limits checked before an iteration starts, in this order: cancellation, time limit,
    /// iteration limit, evaluation budget.
    /// </summary>
    public bool ShouldStop(out SolveStatus status)
    {
        if (Options.CancellationToken.IsCancellationRequested) { status = SolveStatus.Cancelled; return true; }
        if (Options.TimeLimit is { } limit && Elapsed >= limit) { status = SolveStatus.TimeLimit; return true; }
        if (Iterations >= Options.MaxIterations) { status = SolveStatus.MaxIterations; return true; }
        if (EvaluationBudgetExhausted) { status = SolveStatus.MaxEvaluations; return true; }
        status = default;
        return false;
    }

    /// <summary>
    /// Counts the iteration, records it (history and progress) and applies the convergence tests
    /// in this order: gradient, step, function change.
    /// </summary>
    /// <param name="previousObjective">f before the iteration.</param>
    /// <param name="objective">f after it.</param>
    /// <param name="gradientNorm">The (projected) gradient infinity norm at the new point (reported and tested).</param>
    /// <param name="stepNorm">‖x_new − x_old‖∞ (reported and tested).</param>
    /// <param name="xNorm">‖x_new‖∞.</param>
    /// <param name="status">The convergence status when the method returns true.</param>
    /// <param name="stoppingGradientNorm">Tested instead of <paramref name="gradientNorm"/> when given (e.g. the gradient of an L2-regularized objective).</param>
    /// <param name="stoppingStepNorm">Tested instead of <paramref name="stepNorm"/> when given (trust-region methods pass their radius, as MINPACK does; +∞ disables the test).</param>
    public bool CompleteIteration(double previousObjective, double objective, double gradientNorm, double stepNorm, double xNorm, out SolveStatus status,
        double? stoppingGradientNorm = null, double? stoppingStepNorm = null)
    {
        Iterations++;
        if (_history is not null || _progress is not null)
        {
            var info = new IterationInfo(Iterations, objective, gradientNorm, stepNorm, FunctionEvaluations, Elapsed);
            _history?.Add(info);
            _progress?.Report(info);
        }
        if (IsStationary(stoppingGradientNorm ?? gradientNorm)) { status = SolveStatus.Converged; return true; }
        if (Options.StepTolerance > 0 && (stoppingStepNorm ?? stepNorm) <= Options.StepTolerance * (1 + xNorm)) { status = SolveStatus.StepTolerance; return true; }
        if (Options.FunctionTolerance > 0
            && Math.Abs(previousObjective - objective) <= Options.FunctionTolerance * Math.Max(Math.Max(Math.Abs(previousObjective), Math.Abs(objective)), 1))
        {
            status = SolveStatus.FunctionTolerance;
            return true;
        }
        status = default;
        return false;
    }

    public SolveResult Result(double[] x, double objective, double gradientNorm, SolveStatus status, string? message = null) => new()
    {
        X = x,
        Objective = objective,
        Status = status,
        Iterations = Iterations,
        FunctionEvaluations = FunctionEvaluations,
        GradientEvaluations = GradientEvaluations,
        HessianEvaluations = HessianEvaluations,
        GradientNorm = gradientNorm,
        Solver = Solver,
        Message = message ?? DefaultMessage(status, gradientNorm),
        Elapsed = Elapsed,
        History = _history is null ? Array.Empty<IterationInfo>() : _history.ToArray(),
    };

    private string DefaultMessage(SolveStatus status, double gradientNorm) => status switch
    {
        SolveStatus.Converged => $"Converged: gradient norm {gradientNorm:G3} ≤ tolerance {Options.GradientTolerance:G3}.",
        SolveStatus.StepTolerance => $"Stopped: the step fell below the step tolerance {Options.StepTolerance:G3}.",
        SolveStatus.FunctionTolerance => $"Stopped: the relative change of the objective fell below {Options.FunctionTolerance:G3}.",
        SolveStatus.MaxIterations => $"Stopped: iteration limit {Options.MaxIterations} reached.",
        SolveStatus.MaxEvaluations => $"Stopped: evaluation limit {Options.MaxEvaluations} reached.",
        SolveStatus.TimeLimit => $"Stopped: time limit {Options.TimeLimit} reached.",
        SolveStatus.Cancelled => "Cancelled by the caller.",
        SolveStatus.Diverged => "Diverged: the objective or gradient became NaN or infinite; X is the last finite point.",
        SolveStatus.LineSearchFailed => "The line search could not find an acceptable step (is the gradient consistent with the objective?).",
        SolveStatus.Infeasible => "Infeasible: no feasible point was found; X is the least-infeasible point found.",
        SolveStatus.Unbounded => "Unbounded: the objective decreases without bound on the feasible set.",
        _ => status.ToString(),
    };
}

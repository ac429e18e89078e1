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

    /// <summary>Counts <paramref name="count"/> objective evaluations made outside <see cref="Objective"/> (a population evaluated in parallel).</summary>
    public void CountEvaluations(int count) => FunctionEvaluations += count;

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
            AbsoluteGradientTest = true,
        };
    }

    /// <summary>s₀ = min(1, |f(x₀)|), the objective's scale at the start (NaN until <see cref="SetStart"/>).</summary>
    private double _scale0 = double.NaN;
    private double _f0 = double.NaN, _startNorm;
    private string? _stopDetail;

    /// <summary>The optimality error of the last <see cref="CompleteIteration"/> (NaN before).</summary>
    public double LastOptimalityError { get; private set; } = double.NaN;

    /// <summary>max(<see cref="SolveOptions.AcceptableTolerance"/>, <see cref="SolveOptions.GradientTolerance"/>).</summary>
    public double AcceptableLevel => Math.Max(Options.AcceptableTolerance, Options.GradientTolerance);

    /// <summary>
    /// Records f and ‖x‖∞ at the start point: they fix the objective's scale s₀ of <see cref="OptimalityError"/> and the
    /// reference for the run-away test.
    /// </summary>
    public void SetStart(double f0, double xNorm0)
    {
        _f0 = f0;
        _startNorm = xNorm0;
        _scale0 = Math.Min(1, Math.Abs(f0));
    }

    /// <summary>
    /// The problem, bounds and the variables f depended on at the start (∂f/∂xᵢ(x₀) ≠ 0) of a gradient solve, for
    /// <see cref="OnPlateau"/> (null for lm, and for problems above <see cref="PlateauProbeLimit"/> variables).
    /// </summary>
    private (IGradientProblem Problem, Box Box, bool[] Sensitive)? _probe;

    /// <summary>A ±1% move of a variable that changes f by more than this times |f| never leaves f flat (see <see cref="OnPlateau"/>).</summary>
    public const double PlateauFlatness = 1e-2;

    /// <summary>
    /// The curvature a plateau may show, as a fraction of the probe's bound on each change: the sum of the two changes
    /// (½·∂²f·h² twice) must stay within this fraction. On the asymptotes of the status-truth corpus (BoxBOD, Rat43, Meyer,
    /// Jennrich–Sampson) the sum is at most 1.1e−3 of the bound, mostly 0 to rounding; at the minimum of the breast-cancer
    /// logistic model stopped at tolerance 1e−3, whose weakest weight is curved only by its penalty, it is 0.098. The
    /// threshold sits between them, a factor of 10 from each.
    /// </summary>
    public const double PlateauCurvature = 1e-2;

    /// <summary>Probes are skipped above this many variables (2 evaluations per variable).</summary>
    public const int PlateauProbeLimit = 1000;

    /// <summary>
    /// The plateau check made before a gradient solve reports <see cref="SolveStatus.Converged"/>: a variable on which f
    /// depended at the start (∂f/∂xᵢ(x₀) ≠ 0) but on which it no longer depends, even over a move of ±1% of max(1, |xᵢ|)
    /// (both secant slopes within the acceptable tolerance, as scaled for the gradient, and both changes of f within 1% of
    /// |f|, so that a zero-residual minimum, where f ≈ 0, is never taken for flat, and the sum of the two changes, which is
    /// the curvature, within <see cref="PlateauCurvature"/> of that bound), marks an asymptote that the iterates ran along (e^(−bx) with
    /// b → ∞, as on BoxBOD), where ∇f vanishes without a minimizer. Returns the first such variable, or −1. Two
    /// gradients screen out the variables that are certainly curved (<see cref="CurvedVariables"/>); the others take up
    /// to 2 counted objective evaluations each, never more than the solve itself used unless n ≤ 50 (skipped otherwise), skipped for n above
    /// <see cref="PlateauProbeLimit"/> and for nested solves.
    /// </summary>
    private int OnPlateau(double[] x, double f)
    {
        if (_probe is not { } probe || Options.AbsoluteGradientTest || 2 * x.Length > Math.Max(FunctionEvaluations, 100)
            || !double.IsFinite(f)) return -1;
        double slope = AcceptableLevel * Scale(f), flatness = PlateauFlatness * Math.Abs(f);
        var curved = CurvedVariables(probe, x, slope, flatness);
        var trial = (double[])x.Clone();
        for (int i = 0; i < x.Length; i++)
        {
            if (!probe.Sensitive[i] || curved is not null && curved[i]) continue;
            double h = ProbeStep(x[i]);
            bool flat = true;
            double change = 0, bound = double.PositiveInfinity;
            for (int side = 0; side < 2 && flat; side++)
            {
                double xi = side == 0 ? x[i] + h : x[i] - h;
                if (probe.Box.IsBounded) xi = Math.Clamp(xi, probe.Box.Lower[i], probe.Box.Upper[i]);
                if (xi == x[i] || EvaluationBudgetExhausted) { flat = false; continue; }
                trial[i] = xi;
                double ft = Objective(probe.Problem, trial);
                trial[i] = x[i];
                double limit = Math.Min(slope * Math.Abs(xi - x[i]), flatness);
                flat = Math.Abs(ft - f) <= limit;
                change += ft - f;
                bound = Math.Min(bound, limit);
            }
            // Along an asymptote f is level to second order too; a point short of a minimum by a gradient at the
            // tolerance's level changes by ±g·h on the two sides, which cancels in their sum and leaves the curvature
            // ½·∂²f·h² twice: a sum of the changes above PlateauCurvature times the bound is a bend, not a plateau.
            if (flat && Math.Abs(change) <= PlateauCurvature * bound) return i;
        }
        return -1;
    }

    /// <summary>The plateau probe's move of a variable: 1% of max(1, |xᵢ|).</summary>
    private static double ProbeStep(double xi) => 0.01 * Math.Max(1, Math.Abs(xi));

    /// <summary>
    /// The screen that spares <see cref="OnPlateau"/> most of its probes: two gradients, at x ± d with every variable
    /// moved together (dᵢ = ±hᵢ, the probe's step, in a fixed pattern of signs, kept inside the bounds), give
    /// y = (∇f(x + d) − ∇f(x − d)) / 2 ≈ H·d. At a minimum H is positive semidefinite, and Cauchy–Schwarz in the
    /// H inner product gives yᵢ² ≤ Hᵢᵢ · dᵀH d, so Hᵢᵢ·hᵢ² ≥ (yᵢ·hᵢ)² / dᵀy: where that lower bound on the curvature the
    /// probe would measure (the sum of its two changes) is ten times what the probe would call flat, variable i is
    /// curved and needs no probe. A flat variable (Hᵢᵢ ≈ 0, so its whole row of H is ≈ 0) is never screened out.
    /// Returns which variables are certainly curved, or null when the screen says nothing (dᵀy ≤ 0: no minimum).
    /// </summary>
    private bool[]? CurvedVariables((IGradientProblem Problem, Box Box, bool[] Sensitive) probe, double[] x, double slope, double flatness)
    {
        int n = x.Length;
        if (RemainingEvaluations < 2) return null;
        var d = new double[n];
        var plus = new double[n];
        var minus = new double[n];
        for (int i = 0; i < n; i++)
        {
            double h = ProbeStep(x[i]);
            if (probe.Box.IsBounded) h = Math.Min(h, Math.Min(probe.Box.Upper[i] - x[i], x[i] - probe.Box.Lower[i]));
            // A fixed pattern of signs (+ + − + − − ...) so that d is not aligned with a structure of the problem.
            d[i] = ((i * 0x9E3779B1u) >> 31) == 0 ? h : -h;
            plus[i] = x[i] + d[i];
            minus[i] = x[i] - d[i];
        }
        var gPlus = new double[n];
        var gMinus = new double[n];
        if (!double.IsFinite(Gradient(probe.Problem, plus, gPlus)) || !double.IsFinite(Gradient(probe.Problem, minus, gMinus))) return null;
        double dy = 0;
        for (int i = 0; i < n; i++)
        {
            gPlus[i] = 0.5 * (gPlus[i] - gMinus[i]);
            dy += d[i] * gPlus[i];
        }
        if (!(dy > 0) || !double.IsFinite(dy)) return null;
        var curved = new bool[n];
        for (int i = 0; i < n; i++)
        {
            double h = ProbeStep(x[i]);
            double bound = Math.Min(slope * h, flatness), yh = gPlus[i] * h;
            curved[i] = yh * yh > 10 * PlateauCurvature * bound * dy;
        }
        return curved;
    }

    /// <summary>
    /// The scale-invariant optimality error of the gradient methods: ‖∇f‖∞ / <see cref="Scale"/>(f). Multiplying f by a
    /// constant c multiplies ‖∇f‖, |f| and (for |c·f(x₀)| below 1) s₀ by c, and leaves the error unchanged; the cap of s₀
    /// at 1 keeps a start far out (where f is huge) from loosening the test near the minimum.
    /// </summary>
    public double OptimalityError(double gradientNorm, double f)
    {
        if (Options.AbsoluteGradientTest) return gradientNorm;
        double scale = Scale(f);
        if (!(scale > 0)) return gradientNorm == 0 ? 0 : double.PositiveInfinity;
        return gradientNorm / scale;
    }

    /// <summary>
    /// max(min(|f|, max(|f(x₀)|, 1)), s₀): |f| where it is no larger than at the start, so that an iterate whose f has
    /// blown up (a step size too large) never looks stationary relative to its own huge f.
    /// </summary>
    private double Scale(double f)
    {
        if (double.IsNaN(_scale0)) return Math.Max(Math.Abs(f), 1);
        return Math.Max(Math.Min(Math.Abs(f), Math.Max(Math.Abs(_f0), 1)), _scale0);
    }

    /// <summary>True when <paramref name="optimalityError"/> meets <see cref="SolveOptions.GradientTolerance"/>.</summary>
    public bool IsStationary(double optimalityError) => optimalityError <= Options.GradientTolerance;

    /// <summary>True when <paramref name="optimalityError"/> meets <see cref="AcceptableLevel"/>.</summary>
    public bool IsAcceptable(double optimalityError) => optimalityError <= AcceptableLevel;

    /// <summary>
    /// Evaluates f and ∇f at the start point, as every gradient solver's first step, and records the start's scale
    /// (<see cref="SetStart"/>). A non-finite value there ends the solve as <see cref="SolveStatus.Diverged"/>, which is
    /// returned; so is <see cref="SolveStatus.Converged"/> when the start is already stationary (null otherwise).
    /// </summary>
    /// <param name="problem">The problem being solved.</param>
    /// <param name="x">The start point.</param>
    /// <param name="gradient">Receives ∇f at the start.</param>
    /// <param name="box">The variables' bounds (the gradient is projected onto them).</param>
    /// <param name="f">f at the start.</param>
    /// <param name="gradientNorm">The projected gradient infinity norm at the start.</param>
    /// <param name="stoppingNorm">Maps the gradient norm to the one the convergence test uses (e.g. with weight decay), or null.</param>
    public SolveResult? EvaluateStart(IGradientProblem problem, double[] x, Span<double> gradient, Box box, out double f, out double gradientNorm,
        Func<double, double>? stoppingNorm = null)
    {
        f = Gradient(problem, x, gradient);
        gradientNorm = double.NaN;
        if (!double.IsFinite(f) || !Vec.AllFinite(gradient))
            return Result(x, f, double.NaN, SolveStatus.Diverged, "Diverged: the objective or gradient is not finite at the start point.");
        gradientNorm = box.ProjectedGradientNorm(x, gradient);
        SetStart(f, Vec.InfNorm(x));
        if (x.Length <= PlateauProbeLimit)
        {
            var sensitive = new bool[x.Length];
            for (int i = 0; i < sensitive.Length; i++) sensitive[i] = gradient[i] != 0;
            _probe = (problem, box, sensitive);
        }
        double error = OptimalityError(stoppingNorm?.Invoke(gradientNorm) ?? gradientNorm, f);
        return IsStationary(error) ? Result(x, f, gradientNorm, SolveStatus.Converged, null, error) : null;
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
    /// Counts the iteration, records it (history and progress) and applies the tests in this order: optimality
    /// (<see cref="SolveStatus.Converged"/>), run-away (<see cref="SolveStatus.Unbounded"/>), step and function change
    /// (<see cref="SolveStatus.Acceptable"/> when the optimality error meets <see cref="AcceptableLevel"/>,
    /// <see cref="SolveStatus.Stalled"/> otherwise).
    /// </summary>
    /// <param name="previousObjective">f before the iteration.</param>
    /// <param name="objective">f after it.</param>
    /// <param name="gradientNorm">The (projected) gradient infinity norm at the new point (reported and tested).</param>
    /// <param name="stepNorm">‖x_new − x_old‖∞ (reported and tested).</param>
    /// <param name="xNorm">‖x_new‖∞.</param>
    /// <param name="status">The status when the method returns true.</param>
    /// <param name="stoppingGradientNorm">Tested instead of <paramref name="gradientNorm"/> when given (e.g. the gradient of an L2-regularized objective).</param>
    /// <param name="stoppingStepNorm">Tested instead of <paramref name="stepNorm"/> when given (trust-region methods pass their radius, as MINPACK does; +∞ disables the test).</param>
    /// <param name="optimalityError">The solver's own optimality error when it has one (lm, the constrained solvers); otherwise <see cref="OptimalityError"/> of the gradient norm.</param>
    public bool CompleteIteration(double previousObjective, double objective, double gradientNorm, double stepNorm, double xNorm, out SolveStatus status,
        double? stoppingGradientNorm = null, double? stoppingStepNorm = null, double? optimalityError = null)
    {
        Iterations++;
        if (_history is not null || _progress is not null)
        {
            var info = new IterationInfo(Iterations, objective, gradientNorm, stepNorm, FunctionEvaluations, Elapsed);
            _history?.Add(info);
            _progress?.Report(info);
        }
        double error = optimalityError ?? OptimalityError(stoppingGradientNorm ?? gradientNorm, objective);
        LastOptimalityError = error;
        if (IsStationary(error)) { status = SolveStatus.Converged; return true; }
        if (RanAway(previousObjective, objective, xNorm))
        {
            status = SolveStatus.Unbounded;
            _stopDetail = $"Unbounded: f fell to {objective:G3} (from {_f0:G3} at the start) while ‖x‖∞ grew to {xNorm:G3}; the objective decreases without bound.";
            return true;
        }
        string? stop = null;
        if (Options.StepTolerance > 0 && (stoppingStepNorm ?? stepNorm) <= Options.StepTolerance * (1 + xNorm))
            stop = $"the step fell below the step tolerance {Options.StepTolerance:G3}";
        else if (Options.FunctionTolerance > 0
            && Math.Abs(previousObjective - objective) <= Options.FunctionTolerance * Math.Max(Math.Max(Math.Abs(previousObjective), Math.Abs(objective)), 1))
            stop = $"the relative change of f fell below the function tolerance {Options.FunctionTolerance:G3}";
        if (stop is null)
        {
            status = default;
            return false;
        }
        status = NoProgress(error, stop);
        return true;
    }

    /// <summary>
    /// Counts and records an iteration of a derivative-free method (history and progress), with no optimality test:
    /// <paramref name="objective"/> is the best value so far, <paramref name="stepNorm"/> the method's own size measure
    /// (the simplex's diameter, the step size σ).
    /// </summary>
    public void RecordIteration(double objective, double stepNorm)
    {
        Iterations++;
        if (_history is null && _progress is null) return;
        var info = new IterationInfo(Iterations, objective, double.NaN, stepNorm, FunctionEvaluations, Elapsed);
        _history?.Add(info);
        _progress?.Report(info);
    }

    /// <summary>
    /// The verdict when the method can make no further progress (a step or function test, the rounding level, a failed
    /// line search): <see cref="SolveStatus.Acceptable"/> when <paramref name="optimalityError"/> meets
    /// <see cref="AcceptableLevel"/>, otherwise <paramref name="failure"/>; the message names <paramref name="reason"/> and the error.
    /// </summary>
    public SolveStatus NoProgress(double optimalityError, string reason, SolveStatus failure = SolveStatus.Stalled)
    {
        LastOptimalityError = optimalityError;
        if (IsAcceptable(optimalityError))
        {
            _stopDetail = $"Acceptable: {reason}, at optimality error {optimalityError:G3} ≤ acceptable tolerance {AcceptableLevel:G3} "
                + $"(the requested {Options.GradientTolerance:G3} is below the rounding level of the gradient here).";
            return SolveStatus.Acceptable;
        }
        _stopDetail = $"{failure}: {reason}, at optimality error {optimalityError:G3} > acceptable tolerance {AcceptableLevel:G3}; X is not a verified minimizer.";
        return failure;
    }

    /// <summary>
    /// Evidence that f decreases without bound: f below −1e20·max(1, |f(x₀)|); or f negative, below its start value and
    /// still falling by more than 1e−8·|f| per iteration while the iterate ran 1e10 times beyond the start's size (an
    /// objective that merely levels off towards an asymptote, as e^(−x), stops falling and is not taken for unbounded).
    /// </summary>
    public bool RanAway(double previousObjective, double objective, double xNorm) =>
        !double.IsNaN(_f0) && objective < _f0
        && (objective <= UnboundedObjective * Math.Max(1, Math.Abs(_f0))
            || (objective < 0 && xNorm >= DivergingIterate * Math.Max(1, _startNorm) && previousObjective - objective > 1e-8 * Math.Abs(objective)));

    /// <summary>‖x‖∞ beyond this times max(1, ‖x₀‖∞) while f decreases is evidence of unboundedness.</summary>
    public const double DivergingIterate = 1e10;

    /// <summary>f at or below this times max(1, |f(x₀)|) is evidence of unboundedness.</summary>
    public const double UnboundedObjective = -1e20;

    /// <summary>
    /// The result. <paramref name="optimalityError"/> defaults to the last one computed (or, once the start is recorded,
    /// <see cref="OptimalityError"/> of <paramref name="gradientNorm"/>); a <see cref="SolveStatus.LineSearchFailed"/> at an
    /// acceptable point becomes <see cref="SolveStatus.Acceptable"/>.
    /// </summary>
    public SolveResult Result(double[] x, double objective, double gradientNorm, SolveStatus status, string? message = null, double? optimalityError = null)
    {
        double error = optimalityError
            ?? (!double.IsNaN(_scale0) && double.IsFinite(gradientNorm) ? OptimalityError(gradientNorm, objective) : LastOptimalityError);
        if (status == SolveStatus.LineSearchFailed && !double.IsNaN(_scale0) && IsAcceptable(error))
        {
            status = NoProgress(error, "the line search found no further decrease");
            message = null;
        }
        if (status is SolveStatus.Converged or SolveStatus.Acceptable && _probe is not null && !Options.AbsoluteGradientTest
            && objective > _f0 + 1e-12 * Math.Max(1, Math.Abs(_f0)))
        {
            status = SolveStatus.Stalled;
            message = $"Stalled: ∇f vanishes (optimality error {error:G3}) at f = {objective:G6}, above f at the start ({_f0:G6}): the method did not minimize (is the step size too large?).";
        }
        else if (status is SolveStatus.Converged or SolveStatus.Acceptable && OnPlateau(x, objective) is >= 0 and var flat)
        {
            status = SolveStatus.Stalled;
            message = $"Stalled on a plateau: ∇f vanishes (optimality error {error:G3}) but f no longer depends on x[{flat}] (it did at the start): "
                + "f does not change over a move of ±1% of that variable, as along an asymptote (e.g. e^(−b·t) with b → ∞); X is not a verified minimizer.";
        }
        return new()
        {
            X = x,
            Objective = objective,
            Status = status,
            Iterations = Iterations,
            FunctionEvaluations = FunctionEvaluations,
            GradientEvaluations = GradientEvaluations,
            HessianEvaluations = HessianEvaluations,
            GradientNorm = gradientNorm,
            OptimalityError = error,
            Solver = Solver,
            Message = message ?? DefaultMessage(status, error),
            Elapsed = Elapsed,
            History = _history is null ? Array.Empty<IterationInfo>() : _history.ToArray(),
        };
    }

    /// <summary>" (optimality error e)", or nothing where there is none (a derivative-free method stopped by a limit).</summary>
    private static string ErrorNote(double optimalityError) => double.IsNaN(optimalityError) ? "" : $" (optimality error {optimalityError:G3})";

    private string DefaultMessage(SolveStatus status, double optimalityError) => status switch
    {
        SolveStatus.Converged => $"Converged: optimality error {optimalityError:G3} ≤ tolerance {Options.GradientTolerance:G3}.",
        SolveStatus.Acceptable or SolveStatus.Stalled or SolveStatus.Unbounded when _stopDetail is not null => _stopDetail,
        SolveStatus.Stalled => $"Stalled: no further progress at optimality error {optimalityError:G3}; X is not a verified minimizer.",
        SolveStatus.Acceptable => $"Acceptable: optimality error {optimalityError:G3} ≤ acceptable tolerance {AcceptableLevel:G3}.",
        SolveStatus.MaxIterations => $"Stopped: iteration limit {Options.MaxIterations} reached{ErrorNote(optimalityError)}.",
        SolveStatus.MaxEvaluations => $"Stopped: evaluation limit {Options.MaxEvaluations} reached{ErrorNote(optimalityError)}.",
        SolveStatus.TimeLimit => $"Stopped: time limit {Options.TimeLimit} reached{ErrorNote(optimalityError)}.",
        SolveStatus.Cancelled => "Cancelled by the caller.",
        SolveStatus.Diverged => "Diverged: the objective or gradient became NaN or infinite; X is the last finite point.",
        SolveStatus.LineSearchFailed => $"The line search could not find an acceptable step at optimality error {optimalityError:G3} (is the gradient consistent with the objective?).",
        SolveStatus.Infeasible => "Infeasible: no feasible point was found; X is the least-infeasible point found.",
        SolveStatus.Unbounded => "Unbounded: the objective decreases without bound on the feasible set.",
        _ => status.ToString(),
    };
}

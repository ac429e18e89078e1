using System;
using System.Threading;
using OptDsl.Runtime.Internal;

namespace OptDsl.Runtime.Constrained;

/// <summary>
/// One solve of <see cref="AugmentedLagrangianSolver"/>: the bound-constrained augmented Lagrangian method of
/// Conn, Gould &amp; Toint (LANCELOT; Nocedal &amp; Wright 2006, Algorithm 17.4) with the Powell–Hestenes–Rockafellar
/// treatment of inequality rows.
/// <para>
/// Each row lₖ ≤ cₖ(x) ≤ uₖ enters as min over sₖ ∈ [lₖ, uₖ] of λₖ(cₖ − sₖ) + ρ/2 (cₖ − sₖ)², i.e.
/// ψₖ = (max(0, λₖ + ρ(cₖ − uₖ))² + min(0, λₖ + ρ(cₖ − lₖ))² − λₖ²) / 2ρ, whose derivative in cₖ is the first-order
/// multiplier estimate λ̂ₖ = max(0, λₖ + ρ(cₖ − uₖ)) + min(0, λₖ + ρ(cₖ − lₖ)) (an equality is the plain
/// λₖ(cₖ − uₖ) + ρ/2 (cₖ − uₖ)²). The subproblem min f + Σψₖ over the variable box is solved by the project's own solvers
/// (L-BFGS-B, BFGS-B, projected gradient; Newton and Newton-CG take no bounds, so for them the variable bounds become
/// rows too) to a projected-gradient tolerance ω. The progress measure is ν = ‖c − s*‖∞ = ‖λ̂ − λ‖∞/ρ, which covers
/// both feasibility and complementarity. If ν ≤ η the multipliers move to λ̂ and the tolerances tighten
/// (η ← η/ρ^0.9, ω ← ω/ρ); otherwise ρ grows tenfold and η = ρ^−0.1, ω = 1/ρ.
/// </para>
/// </summary>
internal sealed class AugmentedLagrangian
{
    private const double PenaltyGrowth = 10, MaxPenalty = 1e12;
    private const int StallingIncreases = 3, MaxFeasibilityRestarts = 3;

    private readonly ConstrainedModel _model;
    private readonly IterationMonitor _monitor;
    private readonly InnerSolver _inner;
    private readonly double _rho0, _feasibilityTolerance;
    private readonly double[] _gradientOfAugmented;

    public AugmentedLagrangian(ConstrainedModel model, IterationMonitor monitor, InnerSolver inner, double initialPenalty, double feasibilityTolerance)
    {
        _model = model;
        _monitor = monitor;
        _inner = inner;
        _rho0 = initialPenalty;
        _feasibilityTolerance = feasibilityTolerance;
        _gradientOfAugmented = new double[model.N];
    }

    /// <summary>As <see cref="InteriorPoint.NeedsRescaling"/>: the solver resumes from the point reached, scaled there.</summary>
    public bool NeedsRescaling { get; private set; }

    public SolveResult Run(double[] x)
    {
        var model = _model;
        int n = model.N, m = model.M;
        var options = _monitor.Options;
        bool boundsAsRows = model.HasBounds && _inner is InnerSolver.Newton or InnerSolver.NewtonCg;
        var function = new Function(model, boundsAsRows, Vec.InfNorm(x));
        int rows = function.Rows;
        var lambda = new double[rows];
        var g = new double[n];
        var c = new double[m];
        var jac = new double[m * n];
        var z = new double[n];
        var work = new double[n];
        var lambdaRows = new double[m];
        var previousX = new double[n];

        if (model.InconsistentRows)
        {
            var phase = FeasibilityPhase.Run(model, _monitor, x, _feasibilityTolerance);
            return model.FinishAt(_monitor, phase.X, new double[m], new double[n], phase.Stop ?? SolveStatus.Infeasible,
                phase.Stop is null ? "Infeasible: a constraint row has a lower bound above its upper bound; X is the least-infeasible point found." : null);
        }

        double f = _monitor.GradientAndJacobian(model.Problem, x, g, jac);
        model.Problem.Constraints(x, c);
        if (!double.IsFinite(f) || !Vec.AllFinite(g) || !Vec.AllFinite(c) || !Vec.AllFinite(jac))
            return model.Finish(_monitor, x, f, g, c, jac, new double[m], new double[n], SolveStatus.Diverged, "Diverged: the objective, constraints or their derivatives are not finite at the start point.");
        // The last feasible point seen (the start, or an outer iterate): its existence rules out an Infeasible verdict.
        double[]? knownFeasible = model.Violation(x, c) <= _feasibilityTolerance ? (double[])x.Clone() : null;
        var start = (double[])x.Clone();
        bool feasibilityFromStart = false;
        double scale = model.ObjectiveScale;

        double rho = _rho0;
        double omegaStar = options.GradientTolerance, etaStar = _feasibilityTolerance;
        double omega = Math.Max(1 / rho, omegaStar), eta = Math.Max(Math.Pow(rho, -0.1), 0.1 * etaStar);

        // The start may already be a KKT point (with λ = 0).
        function.Set(lambda, rho);
        Estimate(function, x, c, g, jac, lambda, lambdaRows, z, boundsAsRows, out _);
        var kkt = model.Kkt(x, c, g, jac, lambdaRows, z, work);
        if (model.Verified(kkt, x, g, c, jac, lambdaRows, z, omegaStar, etaStar, out bool rescaleAtStart))
            return model.Finish(_monitor, x, f, g, c, jac, lambdaRows, z, SolveStatus.Converged, null);
        if (rescaleAtStart)
        {
            NeedsRescaling = true;
            return model.Finish(_monitor, x, f, g, c, jac, lambdaRows, z, SolveStatus.Stalled, ConstrainedModel.RescalingMessage);
        }

        SolveStatus status;
        string? message = null;
        long innerBudget = 10L * options.MaxIterations;
        int innerIterations = 0, stalledIncreases = 0, feasibilityRuns = 0, noisyStalls = 0;
        double violationAtIncrease = double.PositiveInfinity, bestNoisyKkt = double.PositiveInfinity;
        var caller = options.CancellationToken;
        while (!_monitor.ShouldStop(out status))
        {
            if (innerIterations >= innerBudget)
            {
                status = SolveStatus.MaxIterations;
                message = $"Stopped: the inner solves used their budget of {innerBudget} iterations (10 × MaxIterations) after {_monitor.Iterations} outer iterations; KKT residuals {kkt.Max:G3}, penalty {rho:G3}.";
                break;
            }
            function.Set(lambda, rho);
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(caller);
            function.Watch(cts, function.ValueAt(x, f, c));
            int innerLimit = (int)Math.Max(1, Math.Min(options.MaxIterations, innerBudget - innerIterations));
            var inner = Solve(function, x, _monitor.NestedOptions(omega, innerLimit, cts.Token), boundsAsRows ? null : model.Bounds);
            _monitor.AddEvaluations(inner);
            innerIterations += inner.Iterations;

            if (inner.Status == SolveStatus.Cancelled && caller.IsCancellationRequested) { status = SolveStatus.Cancelled; break; }
            if (inner.Status is SolveStatus.TimeLimit) { status = SolveStatus.TimeLimit; break; }
            if (inner.Status is SolveStatus.MaxEvaluations && _monitor.EvaluationBudgetExhausted) { status = SolveStatus.MaxEvaluations; break; }
            if (inner.Status is SolveStatus.Diverged && inner.Iterations == 0 && function.DivergentX is null)
            {
                status = SolveStatus.Diverged;
                message = $"Diverged: the inner solver ({_inner}) stopped at once: {inner.Message} X is the last finite outer iterate.";
                break;
            }

            double fOld = f;
            x.CopyTo(previousX, 0);
            bool penaltyIncreased = false;
            if (function.DivergentX is { } far)
            {
                // The subproblem ran off towards infinity. The problem is unbounded if f decreases without bound on the
                // feasible set: take the far point, or, if it is infeasible, the feasible point the feasibility phase
                // finds from it (a subproblem can be unbounded along a direction that keeps the violation constant).
                var cFar = new double[m];
                double fFar = _monitor.ObjectiveAndConstraints(model.Problem, far, cFar);
                if (!model.FeasibleAtScale(far, cFar, _feasibilityTolerance))
                {
                    var phase = FeasibilityPhase.Run(model, _monitor, far, _feasibilityTolerance);
                    if (phase.Stop is { } stop) { status = stop; break; }
                    if (Vec.AllFinite(phase.X))
                    {
                        far = phase.X;
                        fFar = _monitor.ObjectiveAndConstraints(model.Problem, far, cFar);
                    }
                }
                if (model.FeasibleAtScale(far, cFar, _feasibilityTolerance) && fFar < f && ConstrainedModel.LooksUnbounded(fFar / scale, far, function.StartNorm))
                {
                    far.CopyTo(x, 0);
                    _monitor.CompleteIteration(fOld / scale, fFar / scale, double.NaN, Vec.InfDistance(x, previousX), Vec.InfNorm(x), out _,
                        stoppingGradientNorm: double.PositiveInfinity, stoppingStepNorm: double.PositiveInfinity);
                    message = $"Unbounded: the subproblem reached feasible points with f = {fFar / scale:G3} and ‖x‖∞ = {Vec.InfNorm(far):G3}; the objective decreases without bound on the feasible set.";
                    lambda.AsSpan(0, m).CopyTo(lambdaRows);
                    return model.FinishAt(_monitor, x, lambdaRows, new double[n], SolveStatus.Unbounded, message);
                }
                // Far out and infeasible: the penalty is too weak.
                rho = Math.Min(PenaltyGrowth * rho, MaxPenalty);
                eta = Math.Max(Math.Pow(rho, -0.1), 0.1 * etaStar);
                omega = Math.Max(1 / rho, omegaStar);
                penaltyIncreased = true;
                // The next subproblem, with the larger penalty, starts again from the last outer iterate (x is unchanged),
                // not from out there where f alone is below −1e20 and every later subproblem would stop at once.
            }
            else if (Vec.AllFinite(inner.X)) inner.X.CopyTo(x, 0);

            if (_monitor.EvaluationBudgetExhausted)
            {
                previousX.CopyTo(x, 0);
                status = SolveStatus.MaxEvaluations;
                break;
            }
            f = _monitor.GradientAndJacobian(model.Problem, x, g, jac);
            model.Problem.Constraints(x, c);
            if (!double.IsFinite(f) || !Vec.AllFinite(g) || !Vec.AllFinite(c) || !Vec.AllFinite(jac))
            {
                previousX.CopyTo(x, 0);
                return model.FinishAt(_monitor, x, lambdaRows, z, SolveStatus.Diverged,
                    "Diverged: the objective, constraints or their derivatives became NaN or infinite; X is the last finite outer iterate.");
            }
            double progress = Estimate(function, x, c, g, jac, lambda, lambdaRows, z, boundsAsRows, out double lambdaChange);
            kkt = model.Kkt(x, c, g, jac, lambdaRows, z, work);
            bool converged = model.Verified(kkt, x, g, c, jac, lambdaRows, z, omegaStar, etaStar, out bool rescale);
            if (rescale)
            {
                _monitor.CompleteIteration(fOld / scale, f / scale, kkt.Stationarity / scale, Vec.InfDistance(x, previousX), Vec.InfNorm(x), out _,
                    stoppingGradientNorm: double.PositiveInfinity, stoppingStepNorm: double.PositiveInfinity);
                NeedsRescaling = true;
                status = SolveStatus.Stalled;
                message = ConstrainedModel.RescalingMessage;
                break;
            }
            double violation = model.Violation(x, c);
            if (violation <= _feasibilityTolerance) knownFeasible = (double[])x.Clone();

            // A subproblem the inner solver cannot solve to ω because L_A no longer decreases in floating point.
            bool noiseLimited = !converged && !penaltyIncreased
                && inner.Status is SolveStatus.LineSearchFailed or SolveStatus.Stalled or SolveStatus.Acceptable
                && !(inner.GradientNorm <= omega);
            bool stuck = false;
            if (noiseLimited)
            {
                noisyStalls = kkt.Max < 0.5 * bestNoisyKkt ? 0 : noisyStalls + 1;
                bestNoisyKkt = Math.Min(bestNoisyKkt, kkt.Max);
                stuck = inner.Iterations == 0 || noisyStalls >= 2;
            }
            else noisyStalls = 0;

            double? stoppingStep = double.PositiveInfinity;
            bool checkFeasibility = false;
            if (stuck)
            {
                if (violation > etaStar) checkFeasibility = true;
                else
                {
                    _monitor.CompleteIteration(fOld / scale, f / scale, kkt.Stationarity / scale, Vec.InfDistance(x, previousX), Vec.InfNorm(x), out _,
                        stoppingGradientNorm: double.PositiveInfinity, stoppingStepNorm: double.PositiveInfinity);
                    status = SolveStatus.LineSearchFailed;
                    message = $"Stopped: the inner solver ({_inner}) can no longer decrease the augmented Lagrangian (it stops at |∇L_A| = {inner.GradientNorm:G3}, where f stops decreasing in floating point); KKT residuals stationarity {kkt.Stationarity:G3}, primal {kkt.PrimalFeasibility:G3}, complementarity {kkt.Complementarity:G3}. Tighter tolerances need the newton inner solver or ipm. Inner solver: {inner.Message}";
                    break;
                }
            }
            else if (!converged && !penaltyIncreased && !(noiseLimited && progress > eta))
            {
                if (progress <= eta)
                {
                    // Good progress on the constraints: first-order multiplier update, tighter tolerances. Nothing moving
                    // once ω is at its floor is a stall (StepTolerance).
                    if (omega <= omegaStar) stoppingStep = Math.Max(Vec.InfDistance(x, previousX), lambdaChange);
                    function.MultiplierEstimate.CopyTo(lambda, 0);
                    eta = Math.Max(eta / Math.Pow(rho, 0.9), 0.1 * etaStar);
                    omega = Math.Max(omega / rho, omegaStar);
                }
                else
                {
                    // Too little progress: a larger penalty (the multipliers stay).
                    if (violation > 0.25 * violationAtIncrease && rho >= 1e3 * _rho0) stalledIncreases++;
                    else if (violation <= 0.25 * violationAtIncrease) stalledIncreases = 0;
                    violationAtIncrease = Math.Min(violationAtIncrease, violation);
                    bool atMaximum = rho >= MaxPenalty;
                    rho = Math.Min(PenaltyGrowth * rho, MaxPenalty);
                    eta = Math.Max(Math.Pow(rho, -0.1), 0.1 * etaStar);
                    omega = Math.Max(1 / rho, omegaStar);
                    checkFeasibility = (stalledIncreases >= StallingIncreases || atMaximum) && violation > etaStar;
                }
            }
            if (checkFeasibility && feasibilityRuns < MaxFeasibilityRestarts)
            {
                // The penalty grows (or the inner solver is stuck) while the violation stays: is there a feasible point at all?
                // (Iterates driven by a growing penalty can end far from any feasible point the start is near.)
                var phase = FeasibilityPhase.Restore(model, _monitor, x, _feasibilityTolerance, knownFeasible, start, ref feasibilityFromStart);
                if (phase.Stop is { } stop) { status = stop; break; }
                if (!(phase.Violation <= _feasibilityTolerance))
                {
                    phase.X.CopyTo(x, 0);
                    _monitor.CompleteIteration(fOld / scale, f / scale, kkt.Stationarity / scale, Vec.InfDistance(x, previousX), Vec.InfNorm(x), out _,
                        stoppingGradientNorm: double.PositiveInfinity, stoppingStepNorm: double.PositiveInfinity);
                    message = $"Infeasible: the violation stalled at {violation:G3} (penalty {rho:G3}), and the feasibility phase converged to a point of local infeasibility (violation {phase.Violation:G3}); X is that least-infeasible point.";
                    return model.FinishAt(_monitor, x, new double[m], new double[n], SolveStatus.Infeasible, message);
                }
                // A feasible point exists: restart the method there (λ = 0, ρ = ρ₀), at most MaxFeasibilityRestarts times;
                // after that the penalty keeps growing until a limit ends the solve.
                feasibilityRuns++;
                phase.X.CopyTo(x, 0);
                f = _monitor.GradientAndJacobian(model.Problem, x, g, jac);
                model.Problem.Constraints(x, c);
                Array.Clear(lambda);
                rho = _rho0;
                omega = Math.Max(1 / rho, omegaStar);
                eta = Math.Max(Math.Pow(rho, -0.1), 0.1 * etaStar);
                function.Set(lambda, rho);
                Estimate(function, x, c, g, jac, lambda, lambdaRows, z, boundsAsRows, out _);
                kkt = model.Kkt(x, c, g, jac, lambdaRows, z, work);
                converged = false;
                stalledIncreases = 0;
                noisyStalls = 0;
                bestNoisyKkt = double.PositiveInfinity;
                violationAtIncrease = double.PositiveInfinity;
            }
            else if (stuck)
            {
                _monitor.CompleteIteration(fOld / scale, f / scale, kkt.Stationarity / scale, Vec.InfDistance(x, previousX), Vec.InfNorm(x), out _,
                    stoppingGradientNorm: double.PositiveInfinity, stoppingStepNorm: double.PositiveInfinity);
                status = SolveStatus.LineSearchFailed;
                message = $"Stopped: the inner solver ({_inner}) makes no progress on an infeasible point (violation {violation:G3}) although feasible points exist; KKT residuals {kkt.Max:G3}.";
                break;
            }
            if (_monitor.CompleteIteration(fOld / scale, f / scale, kkt.Stationarity / scale, Vec.InfDistance(x, previousX), Vec.InfNorm(x), out status,
                    stoppingGradientNorm: converged ? 0 : double.PositiveInfinity, stoppingStepNorm: stoppingStep))
                break;
        }
        if (status is SolveStatus.MaxIterations or SolveStatus.LineSearchFailed or SolveStatus.Stalled && !boundsAsRows
            && model.Violation(x, c) <= _feasibilityTolerance && Vec.AllFinite(g) && Vec.AllFinite(jac))
        {
            // The first-order multiplier estimates lag the iterates; the point may be a KKT point all the same. Fit the
            // multipliers to the point by least squares over its active set and test again.
            var lambdaFit = new double[m];
            var zFit = new double[n];
            if (model.LeastSquaresMultipliers(x, c, g, jac, lambdaFit, zFit))
            {
                var refit = model.Kkt(x, c, g, jac, lambdaFit, zFit, work);
                if (refit.ScaledError < kkt.ScaledError)
                {
                    string stopped = message ?? status.ToString();
                    lambdaFit.CopyTo(lambdaRows, 0);
                    zFit.CopyTo(z, 0);
                    kkt = refit;
                    if (model.Verified(kkt, x, g, c, jac, lambdaRows, z, omegaStar, etaStar, out _))
                    {
                        status = SolveStatus.Converged;
                        message = $"Converged: the method stopped ({stopped}), but with its multipliers fitted by least squares over the active rows and bounds the point meets the tolerances: KKT residuals stationarity {kkt.Stationarity:G3}, primal {kkt.PrimalFeasibility:G3}, dual {kkt.DualFeasibility:G3}, complementarity {kkt.Complementarity:G3}.";
                    }
                }
            }
        }
        if (status == SolveStatus.Converged && message is null)
            message = $"Converged after {_monitor.Iterations} outer and {innerIterations} inner ({_inner}) iterations, penalty {rho:G3}: KKT residuals stationarity {kkt.Stationarity:G3}, primal {kkt.PrimalFeasibility:G3}, dual {kkt.DualFeasibility:G3}, complementarity {kkt.Complementarity:G3}.";
        else if (message is null && status is SolveStatus.MaxIterations)
            message = $"Stopped: outer iteration limit {options.MaxIterations} reached ({innerIterations} inner iterations); KKT residuals {kkt.Max:G3}, penalty {rho:G3}.";
        else if (status is SolveStatus.Stalled)
            message = $"Stalled: neither x nor the multipliers changed in the last outer iteration; KKT residuals stall at {kkt.Max:G3} (scaled error {kkt.ScaledError:G3}).";
        if (boundsAsRows && !InsideBox(x))
        {
            // Newton and Newton-CG saw the bounds only through the penalty: return the nearest point of the box.
            for (int i = 0; i < n; i++) x[i] = Math.Clamp(x[i], model.BoxLower[i], model.BoxUpper[i]);
            return model.FinishAt(_monitor, x, lambdaRows, z, status, message);
        }
        return model.Finish(_monitor, x, f, g, c, jac, lambdaRows, z, status, message);
    }

    private bool InsideBox(ReadOnlySpan<double> x)
    {
        for (int i = 0; i < x.Length; i++)
            if (x[i] < _model.BoxLower[i] || x[i] > _model.BoxUpper[i]) return false;
        return true;
    }

    /// <summary>
    /// λ̂ at x for the current (λ, ρ), the row part of it and the bound multipliers z; returns ν = ‖λ̂ − λ‖∞/ρ.
    /// With bounds handled by the inner solver, z is read from the gradient of the augmented Lagrangian where the
    /// projection onto the box clamps it (zᵢ = −∂L_A/∂xᵢ), so that ‖∇f + Jᵀλ̂ + z‖∞ is the inner projected-gradient norm.
    /// </summary>
    private double Estimate(Function function, ReadOnlySpan<double> x, ReadOnlySpan<double> c, ReadOnlySpan<double> g, ReadOnlySpan<double> jac,
        ReadOnlySpan<double> lambda, Span<double> lambdaRows, Span<double> z, bool boundsAsRows, out double lambdaChange)
    {
        int n = _model.N, m = _model.M;
        double change = function.Estimates(x, c);
        var hat = function.MultiplierEstimate;
        hat.AsSpan(0, m).CopyTo(lambdaRows);
        lambdaChange = 0;
        for (int r = 0; r < hat.Length; r++) lambdaChange = Math.Max(lambdaChange, Math.Abs(hat[r] - lambda[r]));
        z.Clear();
        if (boundsAsRows)
        {
            for (int b = 0; b < function.BoundVariables.Length; b++) z[function.BoundVariables[b]] += hat[m + b];
        }
        else if (_model.HasBounds)
        {
            // gA = ∇f + Jᵀλ̂
            var buffer = _gradientOfAugmented;
            g.CopyTo(buffer);
            for (int k = 0; k < m; k++) if (hat[k] != 0) Vec.Axpy(hat[k], jac.Slice(k * n, n), buffer);
            for (int i = 0; i < n; i++)
            {
                double gi = buffer[i];
                if ((gi > 0 && x[i] - gi < _model.BoxLower[i]) || (gi < 0 && x[i] - gi > _model.BoxUpper[i])) z[i] = -gi;
            }
        }
        return change;
    }

    private SolveResult Solve(Function function, double[] x, SolveOptions options, Bounds? bounds) => _inner switch
    {
        InnerSolver.Lbfgs => new LbfgsSolver { ApproximateWolfe = true }.Minimize(function, x, options, bounds),
        InnerSolver.Bfgs => new BfgsSolver { ApproximateWolfe = true }.Minimize(function, x, options, bounds),
        InnerSolver.Newton => new NewtonSolver().Minimize(function, x, options, null),
        InnerSolver.NewtonCg => new NewtonCgSolver { NoiseTolerantRatio = true }.Minimize(function, x, options, null),
        InnerSolver.Gd => new GradientDescentSolver().Minimize(function, x, options, bounds),
        _ => throw new ArgumentOutOfRangeException(nameof(InnerSolver), _inner, "Unknown inner solver."),
    };

    /// <summary>The augmented Lagrangian L_A(x; λ, ρ) = f + Σψₖ as an unconstrained (second-order) problem for the inner solvers.</summary>
    internal sealed class Function : ISecondOrderProblem
    {
        private readonly ConstrainedModel _model;
        private readonly IConstrainedProblem _problem;
        private readonly int _n, _m;
        private readonly double[] _lower, _upper;
        private readonly double[] _c, _jac, _hat, _hatRows, _cached, _lambda;
        private readonly bool[] _active;
        private readonly double _startNorm;
        private bool _cacheValid;
        private double _rho;
        private CancellationTokenSource? _cts;
        private double _reference;

        public Function(ConstrainedModel model, bool boundsAsRows, double startNorm)
        {
            _model = model;
            _problem = model.Problem;
            _n = model.N;
            _m = model.M;
            _startNorm = startNorm;
            int count = 0;
            if (boundsAsRows)
                for (int i = 0; i < _n; i++) if (double.IsFinite(model.BoxLower[i]) || double.IsFinite(model.BoxUpper[i])) count++;
            BoundVariables = new int[count];
            Rows = _m + count;
            _lower = new double[Rows];
            _upper = new double[Rows];
            model.RowLower.CopyTo(_lower, 0);
            model.RowUpper.CopyTo(_upper, 0);
            for (int i = 0, b = 0; b < count; i++)
            {
                if (!(double.IsFinite(model.BoxLower[i]) || double.IsFinite(model.BoxUpper[i]))) continue;
                BoundVariables[b] = i;
                _lower[_m + b] = model.BoxLower[i];
                _upper[_m + b] = model.BoxUpper[i];
                b++;
            }
            _c = new double[_m];
            _jac = new double[_m * _n];
            _hat = new double[Rows];
            _hatRows = new double[_m];
            _cached = new double[_n];
            _lambda = new double[Rows];
            _active = new bool[Rows];
        }

        public int Dimension => _n;

        /// <summary>‖x₀‖∞ of the solve (the scale of the unboundedness test).</summary>
        public double StartNorm => _startNorm;

        /// <summary>Problem rows, then one row per variable with a finite bound when the inner solver takes no bounds.</summary>
        public int Rows { get; }

        public int[] BoundVariables { get; }

        /// <summary>λ̂ at the last point evaluated by <see cref="Estimates"/> or any evaluation.</summary>
        public double[] MultiplierEstimate => _hat;

        /// <summary>A far-out point evaluated by the inner solver (see <see cref="ConstrainedModel.LooksUnbounded"/>), or null.</summary>
        public double[]? DivergentX { get; private set; }

        public void Set(ReadOnlySpan<double> lambda, double rho)
        {
            lambda.CopyTo(_lambda);
            _rho = rho;
        }

        /// <summary>L_A at x from known f(x) and c(x) (no evaluation); fills λ̂ for x.</summary>
        public double ValueAt(ReadOnlySpan<double> x, double f, ReadOnlySpan<double> c)
        {
            c.CopyTo(_c);
            _cacheValid = false;
            return f + Psi(x);
        }

        /// <summary>Watches the next inner solve: a far-out point whose L_A is below <paramref name="reference"/> (L_A at the inner start) cancels it through <paramref name="cts"/>.</summary>
        public void Watch(CancellationTokenSource cts, double reference)
        {
            _cts = cts;
            _reference = reference;
            DivergentX = null;
        }

        /// <summary>Fills λ̂ for the constraint values <paramref name="c"/> at x; returns ‖λ̂ − λ‖∞/ρ.</summary>
        public double Estimates(ReadOnlySpan<double> x, ReadOnlySpan<double> c)
        {
            c.CopyTo(_c);
            _cacheValid = false;
            Psi(x);
            double change = 0;
            for (int r = 0; r < Rows; r++) change = Math.Max(change, Math.Abs(_hat[r] - _lambda[r]));
            return change / _rho;
        }

        /// <summary>Σψₖ at x for the constraint values in <see cref="_c"/>; fills λ̂ and the active set.</summary>
        private double Psi(ReadOnlySpan<double> x)
        {
            double sum = 0, rho = _rho;
            for (int r = 0; r < Rows; r++)
            {
                double value = r < _m ? _c[r] : x[BoundVariables[r - _m]];
                double l = _lower[r], u = _upper[r], lambda = _lambda[r];
                double above = double.IsPositiveInfinity(u) ? double.NegativeInfinity : lambda + rho * (value - u);
                double below = double.IsNegativeInfinity(l) ? double.PositiveInfinity : lambda + rho * (value - l);
                double hat;
                if (above > 0) hat = above;
                else if (below < 0) hat = below;
                else hat = 0;
                _hat[r] = hat;
                _active[r] = hat != 0 || l == u;
                sum += (hat * hat - lambda * lambda) / (2 * rho);
            }
            for (int k = 0; k < _m; k++) _hatRows[k] = _hat[k];
            return sum;
        }

        private void Check(ReadOnlySpan<double> x, double value, double f)
        {
            if (_cts is null || DivergentX is not null) return;
            if (ConstrainedModel.LooksUnbounded(f, x, _startNorm) && value < _reference)
            {
                DivergentX = x.ToArray();
                _cts.Cancel();
            }
        }

        public double Objective(ReadOnlySpan<double> x)
        {
            double f = _problem.Objective(x);
            _problem.Constraints(x, _c);
            _cacheValid = false;
            double value = f + Psi(x);
            Check(x, value, f);
            return value;
        }

        public double Gradient(ReadOnlySpan<double> x, Span<double> gradient)
        {
            double f = _problem.Gradient(x, gradient);
            _problem.Constraints(x, _c);
            _problem.ConstraintJacobian(x, _jac);
            x.CopyTo(_cached);
            _cacheValid = true;
            double value = f + Psi(x);
            AddJacobianTransposeTimes(_hat, gradient);
            Check(x, value, f);
            return value;
        }

        private void AddJacobianTransposeTimes(ReadOnlySpan<double> weights, Span<double> destination)
        {
            for (int k = 0; k < _m; k++)
            {
                if (weights[k] != 0) Vec.Axpy(weights[k], _jac.AsSpan(k * _n, _n), destination);
            }
            for (int b = 0; b < BoundVariables.Length; b++) destination[BoundVariables[b]] += weights[_m + b];
        }

        private void Ensure(ReadOnlySpan<double> x)
        {
            if (_cacheValid && x.SequenceEqual(_cached)) return;
            _problem.Constraints(x, _c);
            _problem.ConstraintJacobian(x, _jac);
            x.CopyTo(_cached);
            _cacheValid = true;
            Psi(x);
        }

        /// <summary>∇²f + Σλ̂ₖ∇²cₖ + ρ Σ_active ∇cₖ∇cₖᵀ (the generalized Hessian of L_A).</summary>
        public void Hessian(ReadOnlySpan<double> x, Span<double> hessian)
        {
            Ensure(x);
            Psi(x);
            _problem.LagrangianHessian(x, _hatRows, hessian);
            int n = _n;
            for (int k = 0; k < _m; k++)
            {
                if (!_active[k]) continue;
                var row = _jac.AsSpan(k * n, n);
                for (int i = 0; i < n; i++)
                {
                    double a = _rho * row[i];
                    if (a == 0) continue;
                    Vec.Axpy(a, row, hessian.Slice(i * n, n));
                }
            }
            for (int b = 0; b < BoundVariables.Length; b++)
            {
                if (_active[_m + b]) hessian[BoundVariables[b] * (n + 1)] += _rho;
            }
        }

        public void HessianVectorProduct(ReadOnlySpan<double> x, ReadOnlySpan<double> v, Span<double> hv)
        {
            Ensure(x);
            Psi(x);
            _problem.LagrangianHessianVectorProduct(x, _hatRows, v, hv);
            int n = _n;
            for (int k = 0; k < _m; k++)
            {
                if (!_active[k]) continue;
                var row = _jac.AsSpan(k * n, n);
                double t = _rho * Vec.Dot(row, v);
                if (t != 0) Vec.Axpy(t, row, hv);
            }
            for (int b = 0; b < BoundVariables.Length; b++)
            {
                int i = BoundVariables[b];
                if (_active[_m + b]) hv[i] += _rho * v[i];
            }
        }
    }
}

using System;
using System.Collections.Generic;
using OptDsl.Runtime.Internal;
using OptDsl.Runtime.Linear;

namespace OptDsl.Runtime.Constrained;

/// <summary>
/// One solve of <see cref="InteriorPointSolver"/>: the primal-dual barrier method of Wächter &amp; Biegler (2006), dense.
/// <para>
/// Inequality rows get slacks (cₖ(x) − sₖ = 0, lₖ ≤ sₖ ≤ uₖ); equality rows stay cₖ(x) = lₖ; variable and slack bounds carry
/// the barrier. The primal variables are w = (x, s), the equality residual C(w), its multipliers y (the λ of
/// <see cref="IConstrainedProblem"/>: y of a slack row is its row's λ) and the bound multipliers z_L, z_U ≥ 0.
/// Each iteration solves the Newton system of the primal-dual equations in the symmetric form
/// [W + Σ + δ_w I, Aᵀ; A, −δ_c I]·(Δw, Δy) = −(∇φ_μ + Aᵀy, C), W = ∇²ₓₓL(x, y) (exact), Σ = Z_L/(w − w_L) + Z_U/(w_U − w),
/// factored by Bunch–Kaufman LDLᵀ; δ_w, δ_c follow IPOPT's inertia correction until the inertia is (dim w, dim y, 0).
/// Steps respect the fraction-to-boundary rule τ = max(0.99, 1 − μ) (separately for z) and are accepted by IPOPT's filter
/// line search (switching condition, Armijo on φ_μ, sufficient reduction of θ = ‖C‖₁, up to four second-order
/// corrections; comparisons up to rounding, IPOPT's Compare_le). When the step size falls below α_min the feasibility
/// phase (<see cref="FeasibilityPhase.Restore"/>, with IPOPT's proximity term) replaces IPOPT's restoration: a feasible
/// point found there restarts the method with the multipliers kept; none, and no feasible point ever seen, means the
/// problem is (locally) infeasible. The KKT matrix is equilibrated before Bunch–Kaufman (<see cref="BunchKaufman.Equilibrate"/>).
/// μ follows the monotone Fiacco–McCormick rule: when the scaled optimality error of the barrier problem is ≤ 10μ,
/// μ ← max(μ_min, min(0.2μ, μ^1.5)).
/// </para>
/// </summary>
internal sealed class InteriorPoint
{
    // IPOPT's constants (Wächter & Biegler 2006, Table 1 and §3).
    private const double KappaEpsilon = 10, KappaMu = 0.2, ThetaMu = 1.5, TauMin = 0.99, KappaSigma = 1e10;
    private const double GammaTheta = 1e-5, GammaPhi = 1e-8, Delta = 1, SwitchTheta = 1.1, SwitchPhi = 2.3, EtaPhi = 1e-8, GammaAlpha = 0.05;
    private const int MaxSoc = 4;
    private const double KappaSoc = 0.99, BoundPush = 1e-2, WarmBoundPush = 1e-8, BoundFraction = 1e-2, KappaDamping = 1e-4, MaxInitialMultiplier = 1e3;
    private const double DeltaW0 = 1e-4, DeltaWMin = 1e-20, DeltaWMax = 1e40, KappaWMinus = 1.0 / 3, KappaWPlus = 8, KappaWPlusFirst = 100, DeltaC = 1e-8, KappaC = 0.25;
    private const int MaxRestorations = 5, AcceptableIterations = 15;

    private readonly ConstrainedModel _model;
    private readonly IterationMonitor _monitor;
    private readonly IConstrainedProblem _problem;
    private readonly double _feasibilityTolerance;
    private readonly int _n, _m, _mE, _mI, _nw, _mc, _size;
    private readonly int[] _eq, _ineq;
    private readonly double[] _wL, _wU;
    private readonly bool[] _hasL, _hasU, _fixed;

    private readonly double[] _w, _wTrial, _dw, _dwSoc;
    private readonly double[] _y, _dy, _dySoc;
    private readonly double[] _zL, _zU, _dzL, _dzU;
    private readonly double[] _c, _cTrial, _residual, _residualTrial, _socResidual;
    private readonly double[] _g, _jac, _h, _lambda, _zx, _work, _gradPhi, _gradLagrangian;
    private readonly double[] _k, _rhs, _solution, _refine;
    private readonly BunchKaufman _factor;
    private readonly List<(double Theta, double Phi)> _filter = new();

    private double _f, _mu, _muMin, _tau, _lastDeltaW, _thetaMax, _thetaMin, _startNorm;

    public InteriorPoint(ConstrainedModel model, IterationMonitor monitor, double initialBarrier, double feasibilityTolerance)
    {
        _model = model;
        _monitor = monitor;
        _problem = model.Problem;
        _feasibilityTolerance = feasibilityTolerance;
        _n = model.N;
        _m = model.M;
        var eq = new List<int>();
        var ineq = new List<int>();
        for (int k = 0; k < _m; k++)
        {
            if (model.IsEquality(k)) eq.Add(k);
            else if (double.IsFinite(model.RowLower[k]) || double.IsFinite(model.RowUpper[k])) ineq.Add(k);
        }
        _eq = eq.ToArray();
        _ineq = ineq.ToArray();
        _mE = _eq.Length;
        _mI = _ineq.Length;
        _nw = _n + _mI;
        _mc = _mE + _mI;
        _size = _nw + _mc;

        _wL = new double[_nw];
        _wU = new double[_nw];
        _hasL = new bool[_nw];
        _hasU = new bool[_nw];
        _fixed = new bool[_n];
        for (int i = 0; i < _n; i++)
        {
            _wL[i] = model.BoxLower[i];
            _wU[i] = model.BoxUpper[i];
            _fixed[i] = _wL[i] == _wU[i];
        }
        for (int j = 0; j < _mI; j++)
        {
            _wL[_n + j] = model.RowLower[_ineq[j]];
            _wU[_n + j] = model.RowUpper[_ineq[j]];
        }
        for (int i = 0; i < _nw; i++)
        {
            bool isFixed = i < _n && _fixed[i];
            _hasL[i] = !isFixed && double.IsFinite(_wL[i]);
            _hasU[i] = !isFixed && double.IsFinite(_wU[i]);
        }

        _w = new double[_nw]; _wTrial = new double[_nw]; _dw = new double[_nw]; _dwSoc = new double[_nw];
        _y = new double[_mc]; _dy = new double[_mc]; _dySoc = new double[_mc];
        _zL = new double[_nw]; _zU = new double[_nw]; _dzL = new double[_nw]; _dzU = new double[_nw];
        _c = new double[_m]; _cTrial = new double[_m];
        _residual = new double[_mc]; _residualTrial = new double[_mc]; _socResidual = new double[_mc];
        _g = new double[_n]; _jac = new double[_m * _n]; _h = new double[_n * _n];
        _lambda = new double[_m]; _zx = new double[_n]; _work = new double[Math.Max(_size, _n)];
        _gradPhi = new double[_nw]; _gradLagrangian = new double[_nw];
        _k = new double[_size * _size]; _rhs = new double[_size]; _solution = new double[_size]; _refine = new double[_size];
        _factor = new BunchKaufman(_size) { Equilibrate = true };
        _mu = initialBarrier;
        double tol = Math.Min(monitor.Options.GradientTolerance, feasibilityTolerance);
        _muMin = Math.Max(1e-14, 0.1 * tol);
    }

    private Span<double> X => _w.AsSpan(0, _n);

    /// <summary>
    /// Set when the run stopped at a point that meets the tolerances of the scaled problem but not under the scaling the
    /// point itself would get (<see cref="ConstrainedModel.Verified"/>): the solver then resumes from
    /// there with that scaling.
    /// </summary>
    public bool NeedsRescaling { get; private set; }

    /// <summary>The barrier parameter at the end of the run.</summary>
    public double Barrier => _mu;

    /// <summary>The residuals meet the tolerances; false with <see cref="NeedsRescaling"/> set when they do only under the start's scaling.</summary>
    private bool Converged(KktReport kkt)
    {
        bool verified = _model.Verified(kkt, X, _g, _c, _jac, _lambda, _zx, _monitor.Options.GradientTolerance, _feasibilityTolerance, out bool rescale);
        NeedsRescaling |= rescale;
        return verified;
    }

    /// <summary>Runs from <paramref name="start"/>; <paramref name="warm"/>: a point near a solution (a rescaled resumption), pushed off its bounds by 1e-8 instead of 1e-2.</summary>
    public SolveResult Run(double[] start, bool warm = false)
    {
        _startNorm = Vec.InfNorm(start);
        start.CopyTo(_w, 0);
        if (_model.InconsistentRows)
        {
            var phase = FeasibilityPhase.Run(_model, _monitor, start, _feasibilityTolerance);
            return phase.Stop is { } stopped
                ? _model.FinishAt(_monitor, phase.X, new double[_m], new double[_n], stopped, null)
                : Infeasible(phase.X, "Infeasible: a constraint row has a lower bound above its upper bound; X is the least-infeasible point found.");
        }

        if (!Initialize(warm ? WarmBoundPush : BoundPush)) return Diverged("Diverged: the objective, constraints or their derivatives are not finite at the start point.");
        _tau = Math.Max(TauMin, 1 - _mu);
        if (_model.Violation(X, _c) <= _feasibilityTolerance) RememberFeasible();
        double theta0 = Theta(_residual);
        _thetaMax = 1e4 * Math.Max(1, theta0);
        _thetaMin = 1e-4 * Math.Max(1, theta0);

        var kkt = Kkt();
        if (Converged(kkt)) return Finish(SolveStatus.Converged, null);
        if (NeedsRescaling) return Finish(SolveStatus.Stalled, ConstrainedModel.RescalingMessage);

        SolveStatus status;
        string? message = null;
        int restorations = 0, acceptableIterations = 0;
        while (!_monitor.ShouldStop(out status))
        {
            // Barrier update (monotone Fiacco–McCormick), possibly several times.
            while (_mu > _muMin && BarrierError(_mu) <= KappaEpsilon * _mu)
            {
                _mu = Math.Max(_muMin, Math.Min(KappaMu * _mu, Math.Pow(_mu, ThetaMu)));
                _tau = Math.Max(TauMin, 1 - _mu);
                _filter.Clear();
            }

            SetLambda();
            _monitor.LagrangianHessian(_problem, X, _lambda, _h);
            if (!Vec.AllFinite(_h)) { status = SolveStatus.Diverged; message = "Diverged: the Hessian of the Lagrangian is not finite."; break; }
            BarrierGradient();

            double fOld = _f;
            bool stepped = false;
            double directionNorm = double.PositiveInfinity;
            if (FactorWithInertiaCorrection())
            {
                ComputeDirection();
                directionNorm = Math.Max(Math.Max(Vec.InfNorm(_dw), Vec.InfNorm(_dy)), Math.Max(Vec.InfNorm(_dzL), Vec.InfNorm(_dzU)));
                var search = LineSearch();
                if (search is { } stop) { status = stop; break; }
                stepped = _accepted;
            }
            if (!stepped)
            {
                // Step size below α_min (or no usable factorization): the feasibility phase.
                if (restorations++ >= MaxRestorations)
                {
                    status = SolveStatus.LineSearchFailed;
                    message = $"The filter line search failed {MaxRestorations} times after feasibility restarts; the KKT residuals stall at {Kkt().Max:G3} (tolerances may lie below the rounding level).";
                    break;
                }
                if (_model.Violation(X, _c) <= _feasibilityTolerance && restorations > 2)
                {
                    status = SolveStatus.LineSearchFailed;
                    message = $"The filter line search failed at a feasible point; the KKT residuals stall at {Kkt().Max:G3}.";
                    break;
                }
                var outcome = FeasibilityPhase.Restore(_model, _monitor, X, _feasibilityTolerance, _knownFeasible, start, ref _feasibilityFromStart, proximity: Math.Sqrt(_mu));
                if (outcome.Stop is { } stop) { status = stop; break; }
                if (!(outcome.Violation <= _feasibilityTolerance))
                    return Infeasible(outcome.X, $"Infeasible: the feasibility phase converged to a point of local infeasibility (violation {outcome.Violation:G3} > {_feasibilityTolerance:G3}); X is that least-infeasible point.");
                _lastStep = Vec.InfDistance(outcome.X, X);
                outcome.X.CopyTo(_w, 0);
                if (!Reenter()) { status = SolveStatus.Diverged; message = "Diverged: the problem is not finite at the point the feasibility phase returned."; break; }
                _filter.Clear();
            }

            if (!double.IsFinite(_f) || !Vec.AllFinite(_g) || !Vec.AllFinite(_jac))
            {
                status = SolveStatus.Diverged;
                message = "Diverged: the gradient or the constraint Jacobian is not finite at the accepted point.";
                break;
            }
            kkt = Kkt();
            if (stepped && _model.Violation(X, _c) <= _feasibilityTolerance) RememberFeasible();
            bool feasible = _model.FeasibleAtScale(X, _c, _feasibilityTolerance);
            double scale = _model.ObjectiveScale;
            if (ConstrainedModel.LooksUnbounded(_f / scale, X, _startNorm) && feasible && _f < fOld)
            {
                _monitor.CompleteIteration(fOld / scale, _f / scale, kkt.Stationarity / scale, _lastStep, Vec.InfNorm(X), out _,
                    stoppingGradientNorm: double.PositiveInfinity, stoppingStepNorm: double.PositiveInfinity);
                status = SolveStatus.Unbounded;
                message = $"Unbounded: feasible iterates with f = {_f / scale:G3} and ‖x‖∞ = {Vec.InfNorm(X):G3}; the objective decreases without bound on the feasible set.";
                break;
            }
            if (Vec.InfNorm(X) >= 1e20)
            {
                status = SolveStatus.Diverged;
                message = $"Diverged: the iterates grew beyond 1e20 (‖x‖∞ = {Vec.InfNorm(X):G3}) without staying feasible.";
                break;
            }
            bool converged = Converged(kkt);
            double? stoppingStep = _mu <= _muMin && stepped ? directionNorm : double.PositiveInfinity;
            if (_monitor.CompleteIteration(fOld / scale, _f / scale, kkt.Stationarity / scale, _lastStep, Vec.InfNorm(X), out status,
                    stoppingGradientNorm: converged ? 0 : double.PositiveInfinity, stoppingStepNorm: stoppingStep))
                break;
            if (NeedsRescaling)
            {
                status = SolveStatus.Stalled;
                message = ConstrainedModel.RescalingMessage;
                break;
            }
            // IPOPT's acceptable termination: the scaled KKT error within the acceptable level for 15 iterations in a row
            // (acceptable_iter) is as far as the method gets (a point where the KKT conditions hold only in the limit, such
            // as a cusp, is approached ever more slowly).
            acceptableIterations = kkt.ScaledError <= _monitor.AcceptableLevel && !converged ? acceptableIterations + 1 : 0;
            if (acceptableIterations >= AcceptableIterations)
            {
                status = SolveStatus.Acceptable;
                message = $"Acceptable: the scaled KKT error stayed within the acceptable tolerance {_monitor.AcceptableLevel:G3} for {AcceptableIterations} iterations without reaching the tolerances (now {kkt.ScaledError:G3}; multipliers up to {Vec.InfNorm(_lambda):G3}).";
                break;
            }
        }
        return Finish(status, message);
    }

    /// <summary>The last feasible iterate (or the start when feasible): its existence rules out an Infeasible verdict.</summary>
    private double[]? _knownFeasible;
    private bool _feasibilityFromStart;

    private void RememberFeasible()
    {
        _knownFeasible ??= new double[_n];
        X.CopyTo(_knownFeasible);
    }

    private bool _accepted;
    private double _lastStep;

    // ---------------------------------------------------------------- evaluation and initialization

    /// <summary>Moves x strictly inside its bounds, sets the slacks, the bound multipliers and the least-squares y; evaluates everything.</summary>
    private bool Initialize(double push)
    {
        if (!PushAndEvaluate(push)) return false;
        for (int i = 0; i < _nw; i++)
        {
            _zL[i] = _hasL[i] ? Math.Min(1.0, Math.Max(_mu / (_w[i] - _wL[i]), 1e-3)) : 0;
            _zU[i] = _hasU[i] ? Math.Min(1.0, Math.Max(_mu / (_wU[i] - _w[i]), 1e-3)) : 0;
        }
        if (push == BoundPush)
        {
            for (int i = 0; i < _nw; i++) { _zL[i] = _hasL[i] ? 1 : 0; _zU[i] = _hasU[i] ? 1 : 0; }
        }
        LeastSquaresMultipliers();
        return true;
    }

    /// <summary>
    /// Resumes at the point the feasibility phase returned (in <see cref="_w"/>'s x part) without discarding the
    /// multipliers: x is pushed off its bounds by 1e-8, the slacks are set from c, y is kept, and each bound multiplier is
    /// kept but brought into IPOPT's band μ/(κ_Σ d) ≤ z ≤ κ_Σ μ/d for its new distance d to the bound.
    /// </summary>
    private bool Reenter()
    {
        if (!PushAndEvaluate(WarmBoundPush)) return false;
        for (int i = 0; i < _nw; i++)
        {
            if (_hasL[i]) { double d = _w[i] - _wL[i]; _zL[i] = Math.Max(Math.Min(_zL[i], KappaSigma * _mu / d), _mu / (KappaSigma * d)); }
            if (_hasU[i]) { double d = _wU[i] - _w[i]; _zU[i] = Math.Max(Math.Min(_zU[i], KappaSigma * _mu / d), _mu / (KappaSigma * d)); }
        }
        return true;
    }

    /// <summary>Moves x inside its bounds by <paramref name="push"/>, evaluates f, c, ∇f and J there, sets the slacks from c (pushed likewise) and the residual; false when something is not finite.</summary>
    private bool PushAndEvaluate(double push)
    {
        for (int i = 0; i < _n; i++) _w[i] = _fixed[i] ? _wL[i] : PushInside(_w[i], i, push);
        _f = _monitor.ObjectiveAndConstraints(_problem, X, _c);
        if (!double.IsFinite(_f) || !Vec.AllFinite(_c)) return false;
        for (int j = 0; j < _mI; j++) _w[_n + j] = PushInside(_c[_ineq[j]], _n + j, push);
        _monitor.GradientAndJacobian(_problem, X, _g, _jac);
        if (!Vec.AllFinite(_g) || !Vec.AllFinite(_jac)) return false;
        Residual(_w, _c, _residual);
        return true;
    }

    private double PushInside(double v, int i, double push)
    {
        double lo = _wL[i], hi = _wU[i];
        bool l = double.IsFinite(lo), u = double.IsFinite(hi);
        if (l && u)
        {
            double pl = Math.Min(push * Math.Max(1, Math.Abs(lo)), BoundFraction * (hi - lo));
            double pu = Math.Min(push * Math.Max(1, Math.Abs(hi)), BoundFraction * (hi - lo));
            return Math.Clamp(v, lo + pl, hi - pu);
        }
        if (l) return Math.Max(v, lo + push * Math.Max(1, Math.Abs(lo)));
        if (u) return Math.Min(v, hi - push * Math.Max(1, Math.Abs(hi)));
        return v;
    }

    /// <summary>y from min ‖∇f_w − z_L + z_U + Aᵀy‖₂ (the system [I Aᵀ; A 0]); zero when it is large (IPOPT's constr_mult_init_max).</summary>
    private void LeastSquaresMultipliers()
    {
        Array.Clear(_y);
        if (_mc == 0) return;
        Assemble(identityHessian: true, 0, 0);
        if (!_factor.Factor(_k, _size)) return;
        if (_factor.Zero > 0)
        {
            Assemble(identityHessian: true, 0, 1e-8);
            if (!_factor.Factor(_k, _size)) return;
        }
        for (int i = 0; i < _nw; i++)
        {
            double gi = i < _n ? _g[i] : 0;
            _rhs[i] = (i < _n && _fixed[i]) ? 0 : -(gi - _zL[i] + _zU[i]);
        }
        Array.Clear(_rhs, _nw, _mc);
        _rhs.CopyTo(_solution, 0);
        _factor.Solve(_solution);
        var y = _solution.AsSpan(_nw, _mc);
        if (Vec.AllFinite(y) && Vec.InfNorm(y) <= MaxInitialMultiplier) y.CopyTo(_y);
    }

    private void SetLambda()
    {
        Array.Clear(_lambda);
        for (int i = 0; i < _mE; i++) _lambda[_eq[i]] = _y[i];
        for (int j = 0; j < _mI; j++) _lambda[_ineq[j]] = _y[_mE + j];
    }

    private void Residual(ReadOnlySpan<double> w, ReadOnlySpan<double> c, Span<double> residual)
    {
        for (int i = 0; i < _mE; i++) residual[i] = c[_eq[i]] - _model.RowLower[_eq[i]];
        for (int j = 0; j < _mI; j++) residual[_mE + j] = c[_ineq[j]] - w[_n + j];
    }

    private static double Theta(ReadOnlySpan<double> residual)
    {
        double sum = 0;
        foreach (double r in residual) sum += Math.Abs(r);
        return sum;
    }

    /// <summary>φ_μ(w) = f − μ Σ ln(w − w_L) − μ Σ ln(w_U − w) + κ_d μ Σ (distance to the only bound), +∞ outside the box.</summary>
    private double Phi(ReadOnlySpan<double> w, double f)
    {
        double phi = f;
        for (int i = 0; i < _nw; i++)
        {
            if (_hasL[i])
            {
                double d = w[i] - _wL[i];
                if (!(d > 0)) return double.PositiveInfinity;
                phi -= _mu * Math.Log(d);
                if (!_hasU[i]) phi += KappaDamping * _mu * d;
            }
            if (_hasU[i])
            {
                double d = _wU[i] - w[i];
                if (!(d > 0)) return double.PositiveInfinity;
                phi -= _mu * Math.Log(d);
                if (!_hasL[i]) phi += KappaDamping * _mu * d;
            }
        }
        return phi;
    }

    /// <summary>∇φ_μ and ∇f_w + Aᵀy (without z) at the current point.</summary>
    private void BarrierGradient()
    {
        for (int i = 0; i < _nw; i++)
        {
            double gi = i < _n ? _g[i] : 0;
            if (_hasL[i])
            {
                gi -= _mu / (_w[i] - _wL[i]);
                if (!_hasU[i]) gi += KappaDamping * _mu;
            }
            if (_hasU[i])
            {
                gi += _mu / (_wU[i] - _w[i]);
                if (!_hasL[i]) gi -= KappaDamping * _mu;
            }
            _gradPhi[i] = gi;
        }
        GradientOfLagrangian(_gradLagrangian);
    }

    /// <summary>∇f_w + Aᵀy at the current point (x part: ∇f + Jᵀλ; slack part: −y).</summary>
    private void GradientOfLagrangian(Span<double> destination)
    {
        SetLambda();
        _g.CopyTo(destination);
        var gx = destination.Slice(0, _n);
        for (int k = 0; k < _m; k++)
        {
            if (_lambda[k] != 0) Vec.Axpy(_lambda[k], _jac.AsSpan(k * _n, _n), gx);
        }
        for (int j = 0; j < _mI; j++) destination[_n + j] = -_y[_mE + j];
    }

    /// <summary>The scaled optimality error of the barrier problem (IPOPT eq. 5) for μ.</summary>
    private double BarrierError(double mu)
    {
        GradientOfLagrangian(_work);
        double dual = 0, complementarity = 0, zSum = 0, ySum = 0;
        int zCount = 0;
        for (int i = 0; i < _nw; i++)
        {
            if (i < _n && _fixed[i]) continue;
            dual = Math.Max(dual, Math.Abs(_work[i] - _zL[i] + _zU[i]));
            if (_hasL[i]) { complementarity = Math.Max(complementarity, Math.Abs((_w[i] - _wL[i]) * _zL[i] - mu)); zSum += _zL[i]; zCount++; }
            if (_hasU[i]) { complementarity = Math.Max(complementarity, Math.Abs((_wU[i] - _w[i]) * _zU[i] - mu)); zSum += _zU[i]; zCount++; }
        }
        foreach (double v in _y) ySum += Math.Abs(v);
        const double sMax = 100;
        double sd = Math.Max(sMax, (ySum + zSum) / Math.Max(1, _mc + zCount)) / sMax;
        double sc = Math.Max(sMax, zSum / Math.Max(1, zCount)) / sMax;
        return Math.Max(Math.Max(dual / sd, Vec.InfNorm(_residual)), complementarity / sc);
    }

    /// <summary>The shared KKT residuals at the current point, with z = z_U − z_L (and the exact multiplier of a fixed variable).</summary>
    private KktReport Kkt()
    {
        SetLambda();
        for (int i = 0; i < _n; i++) _zx[i] = _zU[i] - _zL[i];
        if (Array.IndexOf(_fixed, true) >= 0)
        {
            GradientOfLagrangian(_work);
            for (int i = 0; i < _n; i++) if (_fixed[i]) _zx[i] = -_work[i];
        }
        return _model.Kkt(X, _c, _g, _jac, _lambda, _zx, _work);
    }

    // ---------------------------------------------------------------- the linear system

    /// <summary>The lower triangle of [W + Σ + δ_w I, Aᵀ; A, −δ_c I] (W = I for the least-squares system).</summary>
    private void Assemble(bool identityHessian, double deltaW, double deltaC)
    {
        int size = _size, n = _n;
        Array.Clear(_k);
        for (int i = 0; i < n; i++)
        {
            if (_fixed[i]) { _k[i * size + i] = 1; continue; }
            for (int j = 0; j <= i; j++)
            {
                if (_fixed[j]) continue;
                _k[i * size + j] = identityHessian ? (i == j ? 1 : 0) : _h[i * n + j];
            }
        }
        for (int i = 0; i < _nw; i++)
        {
            if (i < n && _fixed[i]) continue;
            double sigma = 0;
            if (!identityHessian)
            {
                if (_hasL[i]) sigma += _zL[i] / (_w[i] - _wL[i]);
                if (_hasU[i]) sigma += _zU[i] / (_wU[i] - _w[i]);
                sigma += deltaW;
            }
            else if (i >= n) sigma = 1;
            _k[i * size + i] += sigma;
        }
        for (int r = 0; r < _mc; r++)
        {
            int row = _nw + r;
            int k = r < _mE ? _eq[r] : _ineq[r - _mE];
            var jk = _jac.AsSpan(k * n, n);
            for (int j = 0; j < n; j++) if (!_fixed[j]) _k[row * size + j] = jk[j];
            if (r >= _mE) _k[row * size + n + (r - _mE)] = -1;
            _k[row * size + row] = -deltaC;
        }
    }

    /// <summary>IPOPT's inertia correction (Algorithm IC): regularize until the factorization shows inertia (dim w, dim y, 0).</summary>
    private bool FactorWithInertiaCorrection()
    {
        Assemble(false, 0, 0);
        if (!_factor.Factor(_k, _size)) return false;
        if (CorrectInertia()) { _deltaW = 0; _deltaC = 0; return true; }
        double deltaC = _factor.Zero > 0 ? DeltaC * Math.Pow(_mu, KappaC) : 0;
        double deltaW = _lastDeltaW == 0 ? DeltaW0 : Math.Max(DeltaWMin, KappaWMinus * _lastDeltaW);
        while (deltaW <= DeltaWMax)
        {
            Assemble(false, deltaW, deltaC);
            if (!_factor.Factor(_k, _size)) return false;
            if (CorrectInertia())
            {
                _lastDeltaW = deltaW;
                _deltaW = deltaW;
                _deltaC = deltaC;
                return true;
            }
            if (_factor.Zero > 0 && deltaC == 0) deltaC = DeltaC * Math.Pow(_mu, KappaC);
            deltaW *= _lastDeltaW == 0 ? KappaWPlusFirst : KappaWPlus;
        }
        return false;
    }

    private double _deltaW, _deltaC;

    private bool CorrectInertia() => _factor.Positive == _nw && _factor.Negative == _mc && _factor.Zero == 0;

    /// <summary>Solves K·d = rhs with the current factorization and up to two steps of iterative refinement on the assembled K.</summary>
    private void SolveSystem()
    {
        _rhs.CopyTo(_solution, 0);
        _factor.Solve(_solution);
        double rhsNorm = Vec.InfNorm(_rhs);
        for (int pass = 0; pass < 2; pass++)
        {
            // refine = rhs − K·solution (K symmetric, lower triangle stored).
            int size = _size;
            _rhs.CopyTo(_refine, 0);
            for (int i = 0; i < size; i++)
            {
                double si = _solution[i];
                for (int j = 0; j < i; j++)
                {
                    double kij = _k[i * size + j];
                    if (kij == 0) continue;
                    _refine[i] -= kij * _solution[j];
                    _refine[j] -= kij * si;
                }
                _refine[i] -= _k[i * size + i] * si;
            }
            if (!(Vec.InfNorm(_refine) > 1e-14 * Math.Max(1, rhsNorm))) break;
            _factor.Solve(_refine);
            for (int i = 0; i < size; i++) _solution[i] += _refine[i];
        }
    }

    /// <summary>The Newton direction (Δw, Δy) and the bound-multiplier steps from the current factorization.</summary>
    private void ComputeDirection()
    {
        SetRhs(_residual);
        SolveSystem();
        _solution.AsSpan(0, _nw).CopyTo(_dw);
        _solution.AsSpan(_nw, _mc).CopyTo(_dy);
        MultiplierSteps(_dw);
    }

    private void SetRhs(ReadOnlySpan<double> constraintResidual)
    {
        for (int i = 0; i < _nw; i++)
            _rhs[i] = i < _n && _fixed[i] ? 0 : -(_gradPhi[i] + _gradLagrangian[i] - (i < _n ? _g[i] : 0));
        for (int r = 0; r < _mc; r++) _rhs[_nw + r] = -constraintResidual[r];
    }

    private void MultiplierSteps(ReadOnlySpan<double> dw)
    {
        for (int i = 0; i < _nw; i++)
        {
            _dzL[i] = _hasL[i] ? _mu / (_w[i] - _wL[i]) - _zL[i] - _zL[i] / (_w[i] - _wL[i]) * dw[i] : 0;
            _dzU[i] = _hasU[i] ? _mu / (_wU[i] - _w[i]) - _zU[i] + _zU[i] / (_wU[i] - _w[i]) * dw[i] : 0;
        }
    }

    private double MaxPrimalStep(ReadOnlySpan<double> dw)
    {
        double alpha = 1;
        for (int i = 0; i < _nw; i++)
        {
            if (_hasL[i] && dw[i] < 0) alpha = Math.Min(alpha, -_tau * (_w[i] - _wL[i]) / dw[i]);
            if (_hasU[i] && dw[i] > 0) alpha = Math.Min(alpha, _tau * (_wU[i] - _w[i]) / dw[i]);
        }
        return alpha;
    }

    private double MaxDualStep()
    {
        double alpha = 1;
        for (int i = 0; i < _nw; i++)
        {
            if (_hasL[i] && _dzL[i] < 0) alpha = Math.Min(alpha, -_tau * _zL[i] / _dzL[i]);
            if (_hasU[i] && _dzU[i] < 0) alpha = Math.Min(alpha, -_tau * _zU[i] / _dzU[i]);
        }
        return alpha;
    }

    // ---------------------------------------------------------------- filter line search

    private bool Acceptable(double theta, double phi)
    {
        if (!(theta <= _thetaMax)) return false;
        foreach (var (t, p) in _filter)
        {
            if (theta >= t && phi >= p) return false;
        }
        return true;
    }

    /// <summary>
    /// The filter line search with second-order corrections. Sets <see cref="_accepted"/> and, when a step was taken, the
    /// new point with its derivatives. Returns a status only when the solve must stop (budget, non-finite derivatives).
    /// </summary>
    private SolveStatus? LineSearch()
    {
        _accepted = false;
        double theta = Theta(_residual);
        double phi = Phi(_w, _f);
        double slope = Vec.Dot(_gradPhi, _dw);
        double alphaMax = MaxPrimalStep(_dw);
        double alphaMin;
        if (slope < 0)
        {
            alphaMin = theta <= _thetaMin
                ? GammaAlpha * Math.Min(GammaTheta, Math.Min(-GammaPhi * theta / slope, Delta * Math.Pow(theta, SwitchTheta) / Math.Pow(-slope, SwitchPhi)))
                : GammaAlpha * Math.Min(GammaTheta, -GammaPhi * theta / slope);
        }
        else alphaMin = GammaAlpha * GammaTheta;
        // Tiny steps (IPOPT): a direction below rounding relative to w is taken whole.
        bool tiny = true;
        for (int i = 0; i < _nw && tiny; i++) tiny = Math.Abs(_dw[i]) <= 10 * 2.22e-16 * (1 + Math.Abs(_w[i]));
        alphaMin = Math.Max(alphaMin, 1e-14 * alphaMax);

        double alpha = alphaMax;
        bool first = true;
        while (tiny || alpha >= alphaMin)
        {
            if (_monitor.EvaluationBudgetExhausted) return SolveStatus.MaxEvaluations;
            Vec.AddScaled(_w, alpha, _dw, _wTrial);
            double fTrial = _monitor.ObjectiveAndConstraints(_problem, _wTrial.AsSpan(0, _n), _cTrial);
            bool finite = double.IsFinite(fTrial) && Vec.AllFinite(_cTrial);
            if (finite)
            {
                Residual(_wTrial, _cTrial, _residualTrial);
                double thetaTrial = Theta(_residualTrial);
                double phiTrial = Phi(_wTrial, fTrial);
                bool fType = false;
                if (tiny || Accept(theta, phi, slope, alpha, thetaTrial, phiTrial, out fType))
                {
                    if (!tiny && !fType) _filter.Add(((1 - GammaTheta) * theta, phi - GammaPhi * theta));
                    return Take(fTrial, alpha, _dw, _dy);
                }
                if (first && thetaTrial >= theta && _mc > 0)
                {
                    var soc = SecondOrderCorrection(theta, phi, slope, alpha, thetaTrial);
                    if (soc is { } socStatus) return socStatus;
                    if (_accepted) return null;
                }
            }
            first = false;
            if (tiny) break;
            alpha *= 0.5;
        }
        return null;
    }

    private bool Accept(double theta, double phi, double slope, double alpha, double thetaTrial, double phiTrial, out bool fType)
    {
        fType = false;
        if (!Acceptable(thetaTrial, phiTrial)) return false;
        bool switching = slope < 0 && alpha * Math.Pow(-slope, SwitchPhi) > Delta * Math.Pow(theta, SwitchTheta) && theta <= _thetaMin;
        if (switching)
        {
            fType = true;
            return LessOrEqual(phiTrial - phi, EtaPhi * alpha * slope, phi);
        }
        return LessOrEqual(thetaTrial, (1 - GammaTheta) * theta, theta) || LessOrEqual(phiTrial - phi, -GammaPhi * theta, phi);
    }

    /// <summary>
    /// IPOPT's Compare_le: lhs ≤ rhs up to the rounding error of a quantity of size <paramref name="reference"/>
    /// (lhs − rhs ≤ 10 ε |reference|), so that near the solution a step whose change in φ or θ is below rounding is not
    /// rejected for noise (Wächter &amp; Biegler 2006, §3.9).
    /// </summary>
    private static bool LessOrEqual(double lhs, double rhs, double reference) => lhs - rhs <= 10 * MachineEpsilon * Math.Abs(reference);

    private const double MachineEpsilon = 2.220446049250313e-16;

    private SolveStatus? SecondOrderCorrection(double theta, double phi, double slope, double alphaFirst, double thetaTrial)
    {
        // c_soc ← α·C(w) + C(w_trial), then re-solve with the same matrix and the same first block.
        for (int r = 0; r < _mc; r++) _socResidual[r] = alphaFirst * _residual[r] + _residualTrial[r];
        double thetaPrevious = thetaTrial;
        for (int p = 0; p < MaxSoc; p++)
        {
            SetRhs(_socResidual);
            SolveSystem();
            _solution.AsSpan(0, _nw).CopyTo(_dwSoc);
            _solution.AsSpan(_nw, _mc).CopyTo(_dySoc);
            double alphaSoc = MaxPrimalStep(_dwSoc);
            if (_monitor.EvaluationBudgetExhausted) return SolveStatus.MaxEvaluations;
            Vec.AddScaled(_w, alphaSoc, _dwSoc, _wTrial);
            double fSoc = _monitor.ObjectiveAndConstraints(_problem, _wTrial.AsSpan(0, _n), _cTrial);
            if (!double.IsFinite(fSoc) || !Vec.AllFinite(_cTrial)) return null;
            Residual(_wTrial, _cTrial, _residualTrial);
            double thetaSoc = Theta(_residualTrial);
            double phiSoc = Phi(_wTrial, fSoc);
            if (Accept(theta, phi, slope, alphaFirst, thetaSoc, phiSoc, out bool fType))
            {
                if (!fType) _filter.Add(((1 - GammaTheta) * theta, phi - GammaPhi * theta));
                MultiplierSteps(_dwSoc);
                return Take(fSoc, alphaSoc, _dwSoc, _dySoc);
            }
            if (thetaSoc > KappaSoc * thetaPrevious) return null;
            thetaPrevious = thetaSoc;
            for (int r = 0; r < _mc; r++) _socResidual[r] = alphaSoc * _socResidual[r] + _residualTrial[r];
        }
        // Restore the multiplier steps of the plain direction for the backtracking that follows.
        MultiplierSteps(_dw);
        return null;
    }

    /// <summary>Moves to the trial point (already in <see cref="_wTrial"/>, <see cref="_cTrial"/>): primal step α, y with α, z with the fraction-to-boundary step; evaluates ∇f and J.</summary>
    private SolveStatus? Take(double fTrial, double alpha, ReadOnlySpan<double> dw, ReadOnlySpan<double> dy)
    {
        double alphaZ = MaxDualStep();
        _lastStep = alpha * Vec.InfNorm(dw.Slice(0, _n));
        _wTrial.CopyTo(_w, 0);
        _cTrial.CopyTo(_c, 0);
        _residualTrial.CopyTo(_residual, 0);
        _f = fTrial;
        Vec.Axpy(alpha, dy, _y);
        for (int i = 0; i < _nw; i++)
        {
            if (_hasL[i])
            {
                double d = _w[i] - _wL[i];
                double z = _zL[i] + alphaZ * _dzL[i];
                _zL[i] = Math.Max(Math.Min(z, KappaSigma * _mu / d), _mu / (KappaSigma * d));
            }
            if (_hasU[i])
            {
                double d = _wU[i] - _w[i];
                double z = _zU[i] + alphaZ * _dzU[i];
                _zU[i] = Math.Max(Math.Min(z, KappaSigma * _mu / d), _mu / (KappaSigma * d));
            }
        }
        _monitor.GradientAndJacobian(_problem, X, _g, _jac);
        _accepted = true;
        return null;
    }

    // ---------------------------------------------------------------- results

    private SolveResult Finish(SolveStatus status, string? message)
    {
        Kkt();
        return _model.Finish(_monitor, X.ToArray(), _f, _g, _c, _jac, (double[])_lambda.Clone(), (double[])_zx.Clone(), status, message);
    }

    private SolveResult Infeasible(double[] x, string message)
    {
        // Multipliers are meaningless at an infeasible point: report zeros.
        return _model.FinishAt(_monitor, x, new double[_m], new double[_n], SolveStatus.Infeasible, message);
    }

    private SolveResult Diverged(string message) =>
        _model.FinishAt(_monitor, X.ToArray(), new double[_m], new double[_n], SolveStatus.Diverged, message);
}

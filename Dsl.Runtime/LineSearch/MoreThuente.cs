using System;

namespace OptDsl.Runtime.LineSearch;

/// <summary>What <see cref="MoreThuente"/> asks of its caller after a step.</summary>
internal enum LineSearchTask
{
    /// <summary>Evaluate φ and φ′ at <see cref="MoreThuente.Step"/> and call <see cref="MoreThuente.Next"/>.</summary>
    Evaluate,
    /// <summary>The strong Wolfe conditions hold at <see cref="MoreThuente.Step"/>.</summary>
    Converged,
    /// <summary>No step satisfying the conditions can be found (rounding, interval too small, or a step bound reached); <see cref="MoreThuente.Step"/> is the last trial.</summary>
    Warning,
}

/// <summary>
/// The Moré–Thuente line search (ACM TOMS 20, 1994), a transcription of MINPACK-2's <c>dcsrch</c>/<c>dcstep</c>
/// in reverse-communication form so that the caller owns every evaluation and nothing is allocated.
/// It looks for a step α in [StepMin, StepMax] satisfying the strong Wolfe conditions
/// φ(α) ≤ φ(0) + ftol·α·φ′(0) and |φ′(α)| ≤ gtol·|φ′(0)|.
/// </summary>
internal sealed class MoreThuente
{
    private const double XTrapLower = 1.1;
    private const double XTrapUpper = 4.0;

    private readonly double _ftol;
    private readonly double _gtol;
    private readonly double _xtol;

    private bool _bracketed;
    private int _stage;
    private double _finit, _ginit, _gtest, _width, _width1;
    private double _stx, _fx, _gx, _sty, _fy, _gy, _stmin, _stmax;
    private double _stepMin, _stepMax;

    /// <param name="ftol">Sufficient-decrease constant (c₁).</param>
    /// <param name="gtol">Curvature constant (c₂).</param>
    /// <param name="xtol">Relative width of the uncertainty interval below which the search gives up.</param>
    public MoreThuente(double ftol = 1e-4, double gtol = 0.9, double xtol = 0.1)
    {
        _ftol = ftol;
        _gtol = gtol;
        _xtol = xtol;
    }

    /// <summary>The current trial step.</summary>
    public double Step { get; private set; }

    /// <summary>Why the search ended with <see cref="LineSearchTask.Warning"/>.</summary>
    public string WarningText { get; private set; } = "";

    /// <summary>Best step so far (lowest φ among the trials that satisfied the sufficient-decrease test of stage 1), and its φ.</summary>
    public double BestStep => _stx;
    public double BestValue => _fx;

    /// <summary>Starts a search from φ(0) = <paramref name="f0"/>, φ′(0) = <paramref name="g0"/> &lt; 0 at trial <paramref name="step"/>.</summary>
    public LineSearchTask Start(double f0, double g0, double step, double stepMin, double stepMax)
    {
        if (!(g0 < 0)) throw new ArgumentException("The search direction is not a descent direction.", nameof(g0));
        if (!(stepMax >= stepMin) || stepMin < 0) throw new ArgumentException("Invalid step bounds.", nameof(stepMax));
        Step = Math.Clamp(step, stepMin, stepMax);
        _stepMin = stepMin;
        _stepMax = stepMax;
        _bracketed = false;
        _stage = 1;
        _finit = f0;
        _ginit = g0;
        _gtest = _ftol * g0;
        _width = stepMax - stepMin;
        _width1 = _width / 0.5;
        _stx = 0; _fx = f0; _gx = g0;
        _sty = 0; _fy = f0; _gy = g0;
        _stmin = 0;
        _stmax = Step + XTrapUpper * Step;
        WarningText = "";
        return LineSearchTask.Evaluate;
    }

    /// <summary>
    /// Consumes φ(<see cref="Step"/>) = <paramref name="f"/> and φ′ = <paramref name="g"/>. A non-finite value is treated as
    /// "too far": the search retreats towards the best step and never returns above the bad one.
    /// </summary>
    public LineSearchTask Next(double f, double g)
    {
        double stp = Step;
        if (!double.IsFinite(f) || !double.IsFinite(g))
        {
            // Shrink the admissible interval below the bad step and bisect towards the best point.
            _stepMax = Math.Min(_stepMax, stp);
            _stmax = Math.Min(_stmax, stp);
            if (_bracketed) { _sty = Math.Min(_sty, stp); }
            double next = _stx + 0.5 * (stp - _stx);
            if (!(Math.Abs(next - _stx) > 1e-16 * Math.Max(1, Math.Abs(_stx))))
            {
                WarningText = "non-finite values at every trial step";
                Step = _stx;
                return LineSearchTask.Warning;
            }
            Step = next;
            return LineSearchTask.Evaluate;
        }

        double ftest = _finit + stp * _gtest;
        if (_stage == 1 && f <= ftest && g >= 0) _stage = 2;

        if (_bracketed && (stp <= _stmin || stp >= _stmax)) return Warn("rounding errors prevent progress");
        if (_bracketed && _stmax - _stmin <= _xtol * _stmax) return Warn("the interval of uncertainty is below xtol");
        if (stp == _stepMax && f <= ftest && g <= _gtest) return Warn("the step reached its upper bound");
        if (stp == _stepMin && (f > ftest || g >= _gtest)) return Warn("the step reached its lower bound");
        if (f <= ftest && Math.Abs(g) <= _gtol * (-_ginit)) return LineSearchTask.Converged;

        if (_stage == 1 && f <= _fx && f > ftest)
        {
            // Use the modified function ψ(α) = φ(α) − φ(0) − ftol·α·φ′(0) until a step with ψ ≤ 0 and φ′ ≥ 0 is found.
            double fm = f - stp * _gtest;
            double fxm = _fx - _stx * _gtest;
            double fym = _fy - _sty * _gtest;
            double gm = g - _gtest;
            double gxm = _gx - _gtest;
            double gym = _gy - _gtest;
            ComputeStep(ref _stx, ref fxm, ref gxm, ref _sty, ref fym, ref gym, ref stp, fm, gm, ref _bracketed, _stmin, _stmax);
            _fx = fxm + _stx * _gtest;
            _fy = fym + _sty * _gtest;
            _gx = gxm + _gtest;
            _gy = gym + _gtest;
        }
        else
        {
            ComputeStep(ref _stx, ref _fx, ref _gx, ref _sty, ref _fy, ref _gy, ref stp, f, g, ref _bracketed, _stmin, _stmax);
        }

        if (_bracketed)
        {
            if (Math.Abs(_sty - _stx) >= 0.66 * _width1) stp = _stx + 0.5 * (_sty - _stx);
            _width1 = _width;
            _width = Math.Abs(_sty - _stx);
            _stmin = Math.Min(_stx, _sty);
            _stmax = Math.Max(_stx, _sty);
        }
        else
        {
            _stmin = stp + XTrapLower * (stp - _stx);
            _stmax = stp + XTrapUpper * (stp - _stx);
        }

        stp = Math.Max(stp, _stepMin);
        stp = Math.Min(stp, _stepMax);
        if ((_bracketed && (stp <= _stmin || stp >= _stmax)) || (_bracketed && _stmax - _stmin <= _xtol * _stmax)) stp = _stx;
        Step = stp;
        return LineSearchTask.Evaluate;
    }

    private LineSearchTask Warn(string text)
    {
        WarningText = text;
        return LineSearchTask.Warning;
    }

    /// <summary>
    /// dcstep: safeguarded cubic/quadratic step that updates the interval [stx, sty] containing a step satisfying the conditions.
    /// </summary>
    private static void ComputeStep(
        ref double stx, ref double fx, ref double dx,
        ref double sty, ref double fy, ref double dy,
        ref double stp, double fp, double dp,
        ref bool bracketed, double stpmin, double stpmax)
    {
        double sgnd = dp * (dx / Math.Abs(dx));
        double stpf;

        if (fp > fx)
        {
            // Case 1: higher function value. The minimum is bracketed.
            double theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
            double s = Math.Max(Math.Abs(theta), Math.Max(Math.Abs(dx), Math.Abs(dp)));
            double gamma = s * Math.Sqrt(Math.Max(0, (theta / s) * (theta / s) - (dx / s) * (dp / s)));
            if (stp < stx) gamma = -gamma;
            double p = (gamma - dx) + theta;
            double q = ((gamma - dx) + gamma) + dp;
            double r = p / q;
            double stpc = stx + r * (stp - stx);
            double stpq = stx + ((dx / ((fx - fp) / (stp - stx) + dx)) / 2.0) * (stp - stx);
            stpf = Math.Abs(stpc - stx) < Math.Abs(stpq - stx) ? stpc : stpc + (stpq - stpc) / 2.0;
            bracketed = true;
        }
        else if (sgnd < 0)
        {
            // Case 2: lower function value and derivatives of opposite sign. The minimum is bracketed.
            double theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
            double s = Math.Max(Math.Abs(theta), Math.Max(Math.Abs(dx), Math.Abs(dp)));
            double gamma = s * Math.Sqrt(Math.Max(0, (theta / s) * (theta / s) - (dx / s) * (dp / s)));
            if (stp > stx) gamma = -gamma;
            double p = (gamma - dp) + theta;
            double q = ((gamma - dp) + gamma) + dx;
            double r = p / q;
            double stpc = stp + r * (stx - stp);
            double stpq = stp + (dp / (dp - dx)) * (stx - stp);
            stpf = Math.Abs(stpc - stp) > Math.Abs(stpq - stp) ? stpc : stpq;
            bracketed = true;
        }
        else if (Math.Abs(dp) < Math.Abs(dx))
        {
            // Case 3: lower function value, derivatives of the same sign, and the magnitude of the derivative decreases.
            double theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
            double s = Math.Max(Math.Abs(theta), Math.Max(Math.Abs(dx), Math.Abs(dp)));
            double gamma = s * Math.Sqrt(Math.Max(0, (theta / s) * (theta / s) - (dx / s) * (dp / s)));
            if (stp > stx) gamma = -gamma;
            double p = (gamma - dp) + theta;
            double q = (gamma + (dx - dp)) + gamma;
            double r = p / q;
            double stpc;
            if (r < 0 && gamma != 0) stpc = stp + r * (stx - stp);
            else if (stp > stx) stpc = stpmax;
            else stpc = stpmin;
            double stpq = stp + (dp / (dp - dx)) * (stx - stp);

            if (bracketed)
            {
                stpf = Math.Abs(stpc - stp) < Math.Abs(stpq - stp) ? stpc : stpq;
                stpf = stp > stx ? Math.Min(stp + 0.66 * (sty - stp), stpf) : Math.Max(stp + 0.66 * (sty - stp), stpf);
            }
            else
            {
                stpf = Math.Abs(stpc - stp) > Math.Abs(stpq - stp) ? stpc : stpq;
                stpf = Math.Min(stpmax, stpf);
                stpf = Math.Max(stpmin, stpf);
            }
        }
        else
        {
            // Case 4: lower function value, derivatives of the same sign, and the magnitude does not decrease.
            if (bracketed)
            {
                double theta = 3.0 * (fp - fy) / (sty - stp) + dy + dp;
                double s = Math.Max(Math.Abs(theta), Math.Max(Math.Abs(dy), Math.Abs(dp)));
                double gamma = s * Math.Sqrt(Math.Max(0, (theta / s) * (theta / s) - (dy / s) * (dp / s)));
                if (stp > sty) gamma = -gamma;
                double p = (gamma - dp) + theta;
                double q = ((gamma - dp) + gamma) + dy;
                double r = p / q;
                stpf = stp + r * (sty - stp);
            }
            else
            {
                stpf = stp > stx ? stpmax : stpmin;
            }
        }

        // Update the interval which contains a minimizer.
        if (fp > fx)
        {
            sty = stp; fy = fp; dy = dp;
        }
        else
        {
            if (sgnd < 0) { sty = stx; fy = fx; dy = dx; }
            stx = stp; fx = fp; dx = dp;
        }
        stp = stpf;
    }
}

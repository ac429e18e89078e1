using System;
using OptDsl.Runtime.Internal;

namespace OptDsl.Runtime.LineSearch;

/// <summary>How a line search along a direction ended.</summary>
internal enum LineSearchOutcome
{
    /// <summary>The strong Wolfe conditions hold at the new point.</summary>
    Wolfe,
    /// <summary>The Wolfe conditions were not met, but the new point decreases f; it is accepted.</summary>
    Decrease,
    /// <summary>No trial point decreased f.</summary>
    Failed,
    /// <summary>Every trial point gave a NaN or infinite value.</summary>
    NonFinite,
    /// <summary>The evaluation budget ran out before any trial point decreased f.</summary>
    BudgetExhausted,
}

/// <summary>
/// Drives <see cref="MoreThuente"/> along x + αd for a gradient problem, counting evaluations through the
/// <see cref="IterationMonitor"/>. Trial points are projected into the box (which only removes rounding:
/// callers keep α ≤ the largest feasible step). The accepted point is in <see cref="X"/>, <see cref="G"/>, <see cref="F"/>.
/// </summary>
internal sealed class WolfeLineSearch
{
    /// <summary>Trials per search (MINPACK-2 and L-BFGS-B use 20).</summary>
    public const int MaxTrials = 20;

    /// <summary>Hager–Zhang's δ and σ for the approximate Wolfe conditions, and the allowed rise of f relative to 1 + |f₀|.</summary>
    private const double ApproximateDelta = 0.1, ApproximateSigma = 0.9, ApproximateRise = 1e-11;

    private readonly MoreThuente _search = new(ftol: 1e-4, gtol: 0.9, xtol: 0.1);
    private readonly double[] _xTrial, _gTrial, _xBest, _gBest;
    private readonly bool _approximateWolfe;

    /// <param name="dimension">Length of x.</param>
    /// <param name="approximateWolfe">
    /// Also accept a trial that meets Hager &amp; Zhang's approximate Wolfe conditions (SIAM J. Optim. 16, 2005):
    /// σφ′(0) ≤ φ′(α) ≤ (2δ − 1)φ′(0) and φ(α) ≤ φ(0) + 1e-11·(1 + |φ(0)|). They use only slopes, so a step still counts
    /// when the decrease of f is below its rounding error; this lets inner solves of the augmented Lagrangian reach
    /// gradient norms below the level where f stops decreasing in floating point. In this mode a trial whose f differs from
    /// φ(0) by less than that rise is passed to Moré–Thuente as the trapezoidal estimate φ(0) + α(φ′(0) + φ′(α))/2, so that
    /// rounding noise in f does not steer the bracketing. Off for the plain solvers.
    /// </param>
    public WolfeLineSearch(int dimension, bool approximateWolfe = false)
    {
        _approximateWolfe = approximateWolfe;
        _xTrial = new double[dimension];
        _gTrial = new double[dimension];
        _xBest = new double[dimension];
        _gBest = new double[dimension];
    }

    /// <summary>The accepted point, its gradient and objective (valid for <see cref="LineSearchOutcome.Wolfe"/> and <see cref="LineSearchOutcome.Decrease"/>).</summary>
    public ReadOnlySpan<double> X => _xBest;
    public ReadOnlySpan<double> G => _gBest;
    public double F { get; private set; }
    public double Step { get; private set; }
    public string Detail => _search.WarningText;

    public LineSearchOutcome Search(
        IGradientProblem problem, IterationMonitor monitor, Box box,
        ReadOnlySpan<double> x, double f0, ReadOnlySpan<double> direction, double slope0,
        double initialStep, double maxStep)
    {
        var task = _search.Start(f0, slope0, initialStep, 0.0, maxStep);
        bool haveBest = false;
        bool anyFinite = false;
        F = f0;
        Step = 0;
        for (int trial = 0; trial < MaxTrials; trial++)
        {
            if (monitor.EvaluationBudgetExhausted)
                return haveBest ? LineSearchOutcome.Decrease : LineSearchOutcome.BudgetExhausted;

            double step = _search.Step;
            Vec.AddScaled(x, step, direction, _xTrial);
            box.Project(_xTrial);
            double f = monitor.Gradient(problem, _xTrial, _gTrial);
            double slope = Vec.Dot(_gTrial, direction);
            bool finite = double.IsFinite(f) && double.IsFinite(slope) && Vec.AllFinite(_gTrial);
            if (finite)
            {
                anyFinite = true;
                if (_approximateWolfe && f <= f0 + ApproximateRise * (1 + Math.Abs(f0))
                    && slope >= ApproximateSigma * slope0 && slope <= (2 * ApproximateDelta - 1) * slope0)
                {
                    F = f;
                    Step = step;
                    _xTrial.CopyTo(_xBest, 0);
                    _gTrial.CopyTo(_gBest, 0);
                    return LineSearchOutcome.Wolfe;
                }
                if (f < F)
                {
                    F = f;
                    Step = step;
                    _xTrial.CopyTo(_xBest, 0);
                    _gTrial.CopyTo(_gBest, 0);
                    haveBest = true;
                }
            }
            else
            {
                f = double.NaN;
                slope = double.NaN;
            }

            // In approximate-Wolfe mode a change of f within its rounding level carries no information; Moré–Thuente gets
            // the trapezoidal estimate f₀ + α(φ′(0) + φ′(α))/2 instead, so that its bracketing follows the slopes.
            double fSearch = f;
            if (_approximateWolfe && finite && Math.Abs(f - f0) <= ApproximateRise * (1 + Math.Abs(f0)))
                fSearch = f0 + 0.5 * step * (slope0 + slope);
            task = _search.Next(fSearch, slope);
            if (task == LineSearchTask.Converged)
            {
                // The converged step is the one just evaluated.
                F = f;
                Step = step;
                _xTrial.CopyTo(_xBest, 0);
                _gTrial.CopyTo(_gBest, 0);
                return LineSearchOutcome.Wolfe;
            }
            if (task == LineSearchTask.Warning) break;
        }
        if (haveBest) return LineSearchOutcome.Decrease;
        return anyFinite ? LineSearchOutcome.Failed : LineSearchOutcome.NonFinite;
    }
}

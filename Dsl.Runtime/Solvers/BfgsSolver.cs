using System;
using System.Numerics.Tensors;
using OptDsl.Runtime.Internal;
using OptDsl.Runtime.LineSearch;
using OptDsl.Runtime.Linear;

namespace OptDsl.Runtime;

/// <summary>
/// Dense BFGS (<c>.opt</c> name <c>bfgs</c>) with the Moré–Thuente strong-Wolfe line search.
/// Without finite bounds it updates the inverse Hessian approximation H (Nocedal &amp; Wright, eq. 6.17),
/// scaled by sᵀy/yᵀy before the first update (eq. 6.20). With bounds it updates the Hessian approximation B
/// itself and takes the L-BFGS-B step with that dense matrix: generalized Cauchy point along the projected
/// gradient path, Cholesky solve of the model over the free variables, projection into the box, then the
/// line search on the feasible segment. Updates with sᵀy ≤ ε·yᵀy are skipped.
/// </summary>
public sealed class BfgsSolver
{
    private const string Name = "bfgs";

    /// <summary>Line searches also accept Hager–Zhang approximate Wolfe steps (see <see cref="WolfeLineSearch"/>); set by the augmented Lagrangian for its inner solves.</summary>
    internal bool ApproximateWolfe { get; set; }

    public SolveResult Minimize(IGradientProblem problem, ReadOnlySpan<double> start, SolveOptions? options = null, Bounds? bounds = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var monitor = new IterationMonitor(Name, options);
        int n = problem.Dimension;
        var x = Arguments.StartPoint(problem, n, start, bounds, Name);
        var box = Box.From(bounds, n);
        bool bounded = box.IsBounded;

        var g = new double[n];
        var d = new double[n];
        var s = new double[n];
        var y = new double[n];
        var work = new double[n];
        var matrix = new double[n * n]; // H (unbounded) or B (bounded)
        var boxStep = bounded ? new DenseBoxStep(n) : null;
        var search = new WolfeLineSearch(n, ApproximateWolfe);
        int updates = 0;
        SetIdentity(matrix, n, 1.0);

        if (monitor.EvaluateStart(problem, x, g, out double f) is { } diverged) return diverged;
        double gnorm = box.ProjectedGradientNorm(x, g);
        if (monitor.IsStationary(gnorm)) return monitor.Result(x, f, gnorm, SolveStatus.Converged);

        SolveStatus status;
        string? message = null;
        while (!monitor.ShouldStop(out status))
        {
            bool accepted = false;
            LineSearchOutcome outcome = LineSearchOutcome.Failed;
            for (int attempt = 0; attempt < 2 && !accepted; attempt++)
            {
                if (attempt == 1)
                {
                    if (updates == 0) break;
                    SetIdentity(matrix, n, 1.0);
                    updates = 0;
                }
                if (boxStep is not null)
                {
                    boxStep.Solve(matrix, box, x, g, d);
                    TensorPrimitives.Subtract(d, x, d);
                }
                else
                {
                    for (int i = 0; i < n; i++) d[i] = -Vec.Dot(matrix.AsSpan(i * n, n), g);
                }
                double slope = Vec.Dot(g, d);
                if (!(slope < 0)) { outcome = LineSearchOutcome.Failed; continue; }

                double maxStep = bounded ? Math.Max(1.0, box.MaxFeasibleStep(x, d, 1e10)) : 1e10;
                double initialStep = 1.0;
                if (updates == 0)
                {
                    if (bounded) maxStep = 1.0;
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
                    _ => (SolveStatus.LineSearchFailed, $"The line search found no decrease along the BFGS or the steepest-descent direction ({search.Detail}); |g|∞ = {gnorm:G3}. At a minimizer this means the gradient tolerance is below the rounding level of the gradient; otherwise check the gradient."),
                };
                break;
            }

            double fOld = f;
            TensorPrimitives.Subtract(search.X, x, s);
            TensorPrimitives.Subtract(search.G, g, y);
            if (bounded ? UpdateHessian(matrix, n, s, y, work, updates == 0) : UpdateInverse(matrix, n, s, y, work, updates == 0))
                updates++;
            search.X.CopyTo(x);
            search.G.CopyTo(g);
            f = search.F;
            gnorm = box.ProjectedGradientNorm(x, g);
            // The step test uses the proposed step d (not α·d): a short step from the line search alone is no sign of convergence.
            double stepNorm = Vec.InfNorm(s);
            if (monitor.CompleteIteration(fOld, f, gnorm, stepNorm, Vec.InfNorm(x), out status, stoppingStepNorm: Math.Max(stepNorm, Vec.InfNorm(d)))) break;
        }
        return monitor.Result(x, f, gnorm, status, message);
    }

    private static void SetIdentity(Span<double> m, int n, double scale)
    {
        m.Clear();
        for (int i = 0; i < n; i++) m[i * n + i] = scale;
    }

    private static bool CurvatureOk(double sy, double yy) => sy > double.Epsilon && sy > 2.220446049250313e-16 * yy && double.IsFinite(yy);

    /// <summary>H ← (I − ρsyᵀ)H(I − ρysᵀ) + ρssᵀ, with H := (sᵀy/yᵀy)I first when <paramref name="first"/>.</summary>
    private static bool UpdateInverse(Span<double> h, int n, ReadOnlySpan<double> s, ReadOnlySpan<double> y, Span<double> hy, bool first)
    {
        double sy = Vec.Dot(s, y);
        double yy = Vec.Dot(y, y);
        if (!CurvatureOk(sy, yy)) return false;
        if (first) SetIdentity(h, n, sy / yy);
        double rho = 1.0 / sy;
        for (int i = 0; i < n; i++) hy[i] = Vec.Dot(h.Slice(i * n, n), y);
        double yhy = Vec.Dot(y, hy);
        double c = rho * rho * yhy + rho;
        for (int i = 0; i < n; i++)
        {
            var row = h.Slice(i * n, n);
            // row += −ρ·sᵢ·Hy − ρ·Hyᵢ·s + c·sᵢ·s
            Vec.Axpy(-rho * s[i], hy, row);
            Vec.Axpy(c * s[i] - rho * hy[i], s, row);
        }
        return true;
    }

    /// <summary>B ← B − (Bs)(Bs)ᵀ/(sᵀBs) + yyᵀ/(yᵀs), with B := (yᵀy/sᵀy)I first when <paramref name="first"/>.</summary>
    private static bool UpdateHessian(Span<double> b, int n, ReadOnlySpan<double> s, ReadOnlySpan<double> y, Span<double> bs, bool first)
    {
        double sy = Vec.Dot(s, y);
        double yy = Vec.Dot(y, y);
        if (!CurvatureOk(sy, yy)) return false;
        if (first) SetIdentity(b, n, yy / sy);
        for (int i = 0; i < n; i++) bs[i] = Vec.Dot(b.Slice(i * n, n), s);
        double sbs = Vec.Dot(s, bs);
        if (!(sbs > 0)) return false;
        for (int i = 0; i < n; i++)
        {
            var row = b.Slice(i * n, n);
            Vec.Axpy(-bs[i] / sbs, bs, row);
            Vec.Axpy(y[i] / sy, y, row);
        }
        return true;
    }

    /// <summary>
    /// The L-BFGS-B step with a dense positive-definite model matrix B: generalized Cauchy point of
    /// m(z) = gᵀz + ½zᵀBz along the projected path x − t·g, then the Newton step of the model on the
    /// variables free at that point (Cholesky of B restricted to them), projected into the box or, if that
    /// is not a descent direction, truncated at the boundary.
    /// </summary>
    private sealed class DenseBoxStep
    {
        private readonly int _n;
        private readonly double[] _d, _z, _bd, _bz, _keys, _r, _sub, _l;
        private readonly int[] _order, _freeIndex;
        private readonly bool[] _free;

        public DenseBoxStep(int n)
        {
            _n = n;
            _d = new double[n];
            _z = new double[n];
            _bd = new double[n];
            _bz = new double[n];
            _keys = new double[n];
            _r = new double[n];
            _sub = new double[n * n];
            _l = new double[n * n];
            _order = new int[n];
            _freeIndex = new int[n];
            _free = new bool[n];
        }

        public void Solve(ReadOnlySpan<double> b, Box box, ReadOnlySpan<double> x, ReadOnlySpan<double> g, Span<double> xbar)
        {
            int n = _n;
            var lower = box.Lower;
            var upper = box.Upper;
            int breakpoints = 0;
            for (int i = 0; i < n; i++)
            {
                double gi = g[i];
                double ti = double.PositiveInfinity;
                if (gi < 0 && double.IsFinite(upper[i])) ti = (x[i] - upper[i]) / gi;
                else if (gi > 0 && double.IsFinite(lower[i])) ti = (x[i] - lower[i]) / gi;
                _free[i] = ti > 0;
                _d[i] = ti > 0 ? -gi : 0.0;
                if (ti > 0 && double.IsFinite(ti))
                {
                    _keys[breakpoints] = ti;
                    _order[breakpoints] = i;
                    breakpoints++;
                }
            }
            x.CopyTo(xbar);
            for (int i = 0; i < n; i++) _bd[i] = Vec.Dot(b.Slice(i * n, n), _d);
            _z.AsSpan().Clear();
            _bz.AsSpan().Clear();
            double f1 = -Vec.Dot(_d, _d);
            if (f1 >= 0) return;
            double f2 = Vec.Dot(_d, _bd);
            double dtMin = f2 > 0 ? -f1 / f2 : double.PositiveInfinity;
            double tOld = 0;

            _keys.AsSpan(0, breakpoints).Sort(_order.AsSpan(0, breakpoints));
            for (int q = 0; q < breakpoints; q++)
            {
                int j = _order[q];
                double dt = _keys[q] - tOld;
                if (dtMin < dt) break;
                Vec.Axpy(dt, _d, _z);
                Vec.Axpy(dt, _bd, _bz);
                double bound = _d[j] > 0 ? upper[j] : lower[j];
                // Put z_j exactly on the bound (and keep Bz consistent with that correction).
                double correction = (bound - x[j]) - _z[j];
                _z[j] = bound - x[j];
                if (correction != 0) Vec.Axpy(correction, b.Slice(j * n, n), _bz);
                xbar[j] = bound;
                double dj = _d[j];
                _d[j] = 0;
                _free[j] = false;
                Vec.Axpy(-dj, b.Slice(j * n, n), _bd);
                f1 = Vec.Dot(_d, g) + Vec.Dot(_d, _bz);
                f2 = Vec.Dot(_d, _bd);
                dtMin = f1 >= 0 ? 0 : f2 > 0 ? -f1 / f2 : double.PositiveInfinity;
                tOld = _keys[q];
            }
            if (!double.IsFinite(dtMin)) dtMin = 0; // cannot happen for positive-definite B with a free direction left
            dtMin = Math.Max(0, dtMin);
            Vec.Axpy(dtMin, _d, _z);
            Vec.Axpy(dtMin, _bd, _bz);
            for (int i = 0; i < n; i++)
                if (_d[i] != 0) xbar[i] = Math.Clamp(x[i] + _z[i], lower[i], upper[i]);

            // Subspace minimization over the free variables: B_FF·du = −(g + Bz)_F.
            int nf = 0;
            for (int i = 0; i < n; i++) if (_free[i]) _freeIndex[nf++] = i;
            if (nf == 0) return;
            var sub = _sub.AsSpan(0, nf * nf);
            var l = _l.AsSpan(0, nf * nf);
            var r = _r.AsSpan(0, nf);
            for (int a = 0; a < nf; a++)
            {
                int ia = _freeIndex[a];
                r[a] = -(g[ia] + _bz[ia]);
                for (int c = 0; c < nf; c++) sub[a * nf + c] = b[ia * n + _freeIndex[c]];
            }
            if (!Cholesky.TryFactor(sub, l, nf)) return; // keep the Cauchy point
            Cholesky.Solve(l, nf, r);

            double slope = 0;
            for (int i = 0; i < n; i++) _z[i] = xbar[i];
            for (int a = 0; a < nf; a++)
            {
                int i = _freeIndex[a];
                _z[i] = Math.Clamp(xbar[i] + r[a], lower[i], upper[i]);
            }
            for (int i = 0; i < n; i++) slope += (_z[i] - x[i]) * g[i];
            if (slope < 0)
            {
                _z.AsSpan().CopyTo(xbar);
                return;
            }
            double alpha = 1.0;
            for (int a = 0; a < nf; a++)
            {
                int i = _freeIndex[a];
                if (r[a] < 0 && double.IsFinite(lower[i])) alpha = Math.Min(alpha, Math.Max(0, (lower[i] - xbar[i]) / r[a]));
                else if (r[a] > 0 && double.IsFinite(upper[i])) alpha = Math.Min(alpha, Math.Max(0, (upper[i] - xbar[i]) / r[a]));
            }
            slope = 0;
            for (int i = 0; i < n; i++) _z[i] = xbar[i];
            for (int a = 0; a < nf; a++)
            {
                int i = _freeIndex[a];
                _z[i] = Math.Clamp(xbar[i] + alpha * r[a], lower[i], upper[i]);
            }
            for (int i = 0; i < n; i++) slope += (_z[i] - x[i]) * g[i];
            if (slope < 0) _z.AsSpan().CopyTo(xbar);
        }
    }
}

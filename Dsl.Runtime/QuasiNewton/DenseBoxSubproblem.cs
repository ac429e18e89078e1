using System;
using OptDsl.Runtime.Internal;
using OptDsl.Runtime.Linear;

namespace OptDsl.Runtime.QuasiNewton;

/// <summary>
/// The box subproblem of dense BFGS: the L-BFGS-B step (<see cref="LimitedMemoryBoxSubproblem"/>) with a dense
/// positive-definite model matrix B instead of the compact limited-memory one. Generalized Cauchy point of
/// m(z) = gᵀz + ½zᵀBz along the projected path x − t·g, then the Newton step of the model on the
/// variables free at that point (Cholesky of B restricted to them), projected into the box or, if that
/// is not a descent direction, truncated at the boundary.
/// </summary>
internal sealed class DenseBoxSubproblem
{
    private readonly int _n;
    private readonly double[] _d, _z, _bd, _bz, _keys, _r, _sub, _l;
    private readonly int[] _order, _freeIndex;
    private readonly bool[] _free;

    public DenseBoxSubproblem(int n)
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

    /// <summary>Writes into <paramref name="xbar"/> the feasible point whose difference from x is the search direction (B row-major n×n).</summary>
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

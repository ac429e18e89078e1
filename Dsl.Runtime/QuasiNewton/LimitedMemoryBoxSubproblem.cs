using System;
using OptDsl.Runtime.Internal;
using OptDsl.Runtime.Linear;

namespace OptDsl.Runtime.QuasiNewton;

/// <summary>
/// The box subproblem of limited-memory BFGS, i.e. the step computation of L-BFGS-B (Byrd, Lu, Nocedal &amp; Zhu 1995;
/// Morales &amp; Nocedal 2011); <see cref="DenseBoxSubproblem"/> is its counterpart for a dense matrix. The generalized
/// Cauchy point along the projected steepest-descent path of the quadratic model with the compact L-BFGS
/// matrix B = θI − W·M·Wᵀ (W = [Y θS]), then minimization of the model over the variables that are free
/// at the Cauchy point (direct primal method, Sherman–Morrison–Woodbury on the 2m×2m middle matrix), projected
/// back into the box. The memory must keep its compact tables (SᵀY, SᵀS). All work arrays are allocated by the constructor.
/// </summary>
internal sealed class LimitedMemoryBoxSubproblem
{
    private readonly int _n;
    private readonly double[] _t, _d, _keys, _r;
    private readonly int[] _order;
    private readonly bool[] _free;
    private readonly double[] _p, _c, _w, _mw, _mc, _v;
    private readonly double[] _minv, _mlu, _k;
    private readonly int[] _pivots, _pivotsK;

    public LimitedMemoryBoxSubproblem(int dimension, int memory)
    {
        _n = dimension;
        _t = new double[dimension];
        _d = new double[dimension];
        _keys = new double[dimension];
        _r = new double[dimension];
        _order = new int[dimension];
        _free = new bool[dimension];
        int m2 = 2 * memory;
        _p = new double[m2];
        _c = new double[m2];
        _w = new double[m2];
        _mw = new double[m2];
        _mc = new double[m2];
        _v = new double[m2];
        _minv = new double[m2 * m2];
        _mlu = new double[m2 * m2];
        _k = new double[m2 * m2];
        _pivots = new int[m2];
        _pivotsK = new int[m2];
    }

    /// <summary>
    /// Writes into <paramref name="xbar"/> the feasible point whose difference from x is the L-BFGS-B search direction.
    /// Returns false when the compact middle matrix is singular (the caller should clear the memory).
    /// </summary>
    public bool Solve(LbfgsMemory memory, Box box, ReadOnlySpan<double> x, ReadOnlySpan<double> g, Span<double> xbar)
    {
        int n = _n;
        int k = memory.Count;
        int k2 = 2 * k;
        double theta = memory.Theta;
        var lower = box.Lower;
        var upper = box.Upper;

        if (k > 0 && !FactorMiddle(memory, theta)) return false;

        // Breakpoints tᵢ along x − t·g and the initial direction.
        int breakpoints = 0;
        double f1 = 0;
        for (int i = 0; i < n; i++)
        {
            double gi = g[i];
            double ti = double.PositiveInfinity;
            if (gi < 0 && double.IsFinite(upper[i])) ti = (x[i] - upper[i]) / gi;
            else if (gi > 0 && double.IsFinite(lower[i])) ti = (x[i] - lower[i]) / gi;
            _t[i] = ti;
            if (ti <= 0)
            {
                _d[i] = 0;
                _free[i] = false;
            }
            else
            {
                _d[i] = -gi;
                _free[i] = true;
                f1 -= gi * gi;
                if (double.IsFinite(ti))
                {
                    _keys[breakpoints] = ti;
                    _order[breakpoints] = i;
                    breakpoints++;
                }
            }
        }
        x.CopyTo(xbar);
        if (f1 >= 0) return true; // projected gradient is zero: x is the Cauchy point and the answer.

        double f2;
        if (k > 0)
        {
            MultiplyWTranspose(memory, theta, _d, _p.AsSpan(0, k2));
            _p.AsSpan(0, k2).CopyTo(_mw);
            DenseLu.Solve(_mlu.AsSpan(0, k2 * k2), k2, _pivots.AsSpan(0, k2), _mw.AsSpan(0, k2));
            f2 = -theta * f1 - Vec.Dot(_p.AsSpan(0, k2), _mw.AsSpan(0, k2));
            _c.AsSpan(0, k2).Clear();
        }
        else
        {
            f2 = -theta * f1;
        }
        double f2Original = f2;
        double dtMin = -f1 / f2;
        double tOld = 0;

        _keys.AsSpan(0, breakpoints).Sort(_order.AsSpan(0, breakpoints));
        for (int q = 0; q < breakpoints; q++)
        {
            int b = _order[q];
            double tb = _keys[q];
            double dt = tb - tOld;
            if (dtMin < dt) break;

            double xcpB = _d[b] > 0 ? upper[b] : lower[b];
            double zb = xcpB - x[b];
            xbar[b] = xcpB;
            double gb = g[b];
            if (k > 0)
            {
                Vec.Axpy(dt, _p.AsSpan(0, k2), _c.AsSpan(0, k2));
                WRow(memory, theta, b, _w.AsSpan(0, k2));
                _w.AsSpan(0, k2).CopyTo(_mw);
                DenseLu.Solve(_mlu.AsSpan(0, k2 * k2), k2, _pivots.AsSpan(0, k2), _mw.AsSpan(0, k2));
                double wMc = Vec.Dot(_mw.AsSpan(0, k2), _c.AsSpan(0, k2));
                double wMp = Vec.Dot(_mw.AsSpan(0, k2), _p.AsSpan(0, k2));
                double wMw = Vec.Dot(_mw.AsSpan(0, k2), _w.AsSpan(0, k2));
                f1 += dt * f2 + gb * gb + theta * gb * zb - gb * wMc;
                f2 += -theta * gb * gb - 2.0 * gb * wMp - gb * gb * wMw;
                Vec.Axpy(gb, _w.AsSpan(0, k2), _p.AsSpan(0, k2));
            }
            else
            {
                f1 += dt * f2 + gb * gb + theta * gb * zb;
                f2 -= theta * gb * gb;
            }
            f2 = Math.Max(2.220446049250313e-16 * f2Original, f2);
            _d[b] = 0;
            _free[b] = false;
            dtMin = -f1 / f2;
            tOld = tb;
        }
        dtMin = Math.Max(0, dtMin);
        tOld += dtMin;
        for (int i = 0; i < n; i++)
        {
            if (_d[i] != 0) xbar[i] = Math.Clamp(x[i] + tOld * _d[i], lower[i], upper[i]);
        }
        if (k == 0) return true;
        Vec.Axpy(dtMin, _p.AsSpan(0, k2), _c.AsSpan(0, k2));

        SubspaceMinimization(memory, theta, box, x, g, xbar);
        return true;
    }

    /// <summary>Builds M⁻¹ = [[−D, Lᵀ], [L, θSᵀS]] and factors it.</summary>
    private bool FactorMiddle(LbfgsMemory memory, double theta)
    {
        int k = memory.Count;
        int k2 = 2 * k;
        var minv = _minv.AsSpan(0, k2 * k2);
        for (int i = 0; i < k; i++)
        {
            for (int j = 0; j < k; j++)
            {
                minv[i * k2 + j] = i == j ? -memory.SY(i, i) : 0.0;
                minv[i * k2 + k + j] = j > i ? memory.SY(j, i) : 0.0;
                minv[(k + i) * k2 + j] = i > j ? memory.SY(i, j) : 0.0;
                minv[(k + i) * k2 + k + j] = theta * memory.SS(i, j);
            }
        }
        minv.CopyTo(_mlu);
        return DenseLu.Factor(_mlu.AsSpan(0, k2 * k2), k2, _pivots.AsSpan(0, k2));
    }

    private void SubspaceMinimization(LbfgsMemory memory, double theta, Box box, ReadOnlySpan<double> x, ReadOnlySpan<double> g, Span<double> xbar)
    {
        int n = _n;
        int k = memory.Count;
        int k2 = 2 * k;
        var w = _w.AsSpan(0, k2);
        var v = _v.AsSpan(0, k2);
        var kmat = _k.AsSpan(0, k2 * k2);

        // Mc, then the reduced gradient of the model at the Cauchy point: r = g + θ(xcp − x) − W·M·c on the free set.
        _c.AsSpan(0, k2).CopyTo(_mc);
        DenseLu.Solve(_mlu.AsSpan(0, k2 * k2), k2, _pivots.AsSpan(0, k2), _mc.AsSpan(0, k2));
        v.Clear();
        _minv.AsSpan(0, k2 * k2).CopyTo(kmat);
        int freeCount = 0;
        for (int i = 0; i < n; i++)
        {
            if (!_free[i]) continue;
            freeCount++;
            WRow(memory, theta, i, w);
            double ri = g[i] + theta * (xbar[i] - x[i]) - Vec.Dot(w, _mc.AsSpan(0, k2));
            _r[i] = ri;
            Vec.Axpy(ri, w, v);
            // K = M⁻¹ − (1/θ)·WᵀZZᵀW, accumulated one free row at a time.
            for (int a = 0; a < k2; a++)
            {
                double wa = w[a] / theta;
                if (wa == 0) continue;
                for (int b = 0; b < k2; b++) kmat[a * k2 + b] -= wa * w[b];
            }
        }
        if (freeCount == 0) return;
        if (!DenseLu.Factor(kmat, k2, _pivotsK.AsSpan(0, k2))) return; // keep the Cauchy point
        DenseLu.Solve(kmat, k2, _pivotsK.AsSpan(0, k2), v);

        // Unconstrained subspace step du = −r/θ − ZᵀW·v/θ², stored in _r.
        double theta2 = theta * theta;
        for (int i = 0; i < n; i++)
        {
            if (!_free[i]) continue;
            WRow(memory, theta, i, w);
            _r[i] = -_r[i] / theta - Vec.Dot(w, v) / theta2;
        }

        // Project xcp + du into the box; if that is not a descent direction from x, truncate du at the boundary instead.
        var lower = box.Lower;
        var upper = box.Upper;
        double slope = 0;
        for (int i = 0; i < n; i++)
        {
            double xi = _free[i] ? Math.Clamp(xbar[i] + _r[i], lower[i], upper[i]) : xbar[i];
            slope += (xi - x[i]) * g[i];
        }
        if (slope < 0)
        {
            for (int i = 0; i < n; i++)
                if (_free[i]) xbar[i] = Math.Clamp(xbar[i] + _r[i], lower[i], upper[i]);
            return;
        }
        double alpha = 1.0;
        for (int i = 0; i < n; i++)
        {
            if (!_free[i]) continue;
            double di = _r[i];
            if (di < 0 && double.IsFinite(lower[i])) alpha = Math.Min(alpha, Math.Max(0, (lower[i] - xbar[i]) / di));
            else if (di > 0 && double.IsFinite(upper[i])) alpha = Math.Min(alpha, Math.Max(0, (upper[i] - xbar[i]) / di));
        }
        slope = 0;
        for (int i = 0; i < n; i++)
        {
            double xi = _free[i] ? Math.Clamp(xbar[i] + alpha * _r[i], lower[i], upper[i]) : xbar[i];
            slope += (xi - x[i]) * g[i];
        }
        if (slope < 0)
        {
            for (int i = 0; i < n; i++)
                if (_free[i]) xbar[i] = Math.Clamp(xbar[i] + alpha * _r[i], lower[i], upper[i]);
        }
        // Otherwise the Cauchy point itself (already in xbar) is the answer.
    }

    /// <summary>Row i of W = [Y θS] (length 2k).</summary>
    private static void WRow(LbfgsMemory memory, double theta, int i, Span<double> w)
    {
        int k = memory.Count;
        for (int j = 0; j < k; j++)
        {
            w[j] = memory.Y(j)[i];
            w[k + j] = theta * memory.S(j)[i];
        }
    }

    /// <summary>result ← Wᵀv.</summary>
    private static void MultiplyWTranspose(LbfgsMemory memory, double theta, ReadOnlySpan<double> v, Span<double> result)
    {
        int k = memory.Count;
        for (int j = 0; j < k; j++)
        {
            result[j] = Vec.Dot(memory.Y(j), v);
            result[k + j] = theta * Vec.Dot(memory.S(j), v);
        }
    }
}

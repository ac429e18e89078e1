using System;

namespace OptDsl.Runtime.Linear;

/// <summary>
/// Dense symmetric indefinite factorization P·A·Pᵀ = L·D·Lᵀ with Bunch–Kaufman partial pivoting (Bunch &amp; Kaufman 1977;
/// Golub &amp; Van Loan §4.4; the pivot choice of LAPACK dsytf2): L unit lower triangular, D block diagonal with 1×1 and
/// 2×2 blocks, α = (1 + √17)/8. The inertia of A (counts of positive, negative and zero eigenvalues) is read from D
/// (Sylvester's law). Pivots of magnitude at most <see cref="ZeroPivotTolerance"/>·max|aᵢⱼ| count as zero eigenvalues.
/// All work arrays are allocated once for the largest size.
/// </summary>
internal sealed class BunchKaufman
{
    private static readonly double Alpha = (1 + Math.Sqrt(17)) / 8;

    private readonly double[] _a;      // full symmetric working storage; L below the diagonal when done
    private readonly int[] _perm;      // position i holds original index _perm[i]
    private readonly int[] _block;     // 1 or 2 at the first index of each block, 0 at the second of a 2×2 block
    private readonly double[] _work;
    private int _n;

    public BunchKaufman(int capacity)
    {
        _a = new double[capacity * capacity];
        _perm = new int[capacity];
        _block = new int[capacity];
        _work = new double[capacity];
        Capacity = capacity;
    }

    public int Capacity { get; }

    /// <summary>
    /// When true, <see cref="Factor"/> first equilibrates the matrix symmetrically, A ← D·A·D with Dᵢ = 1/√(maxⱼ|aᵢⱼ|)
    /// (one pass of Ruiz's scaling), and <see cref="Solve"/> undoes it. The inertia is unchanged (Sylvester's law), but the
    /// zero-pivot test becomes relative to each row's own size: without it, one huge diagonal entry (a barrier term
    /// near a bound) makes every small but genuine pivot of another block count as zero.
    /// </summary>
    public bool Equilibrate { get; set; }

    private double[]? _scaling;

    /// <summary>Relative threshold under which a pivot counts as a zero eigenvalue.</summary>
    public double ZeroPivotTolerance { get; set; } = 1e-14;

    public int Positive { get; private set; }
    public int Negative { get; private set; }
    public int Zero { get; private set; }

    /// <summary>
    /// Factors the symmetric row-major n×n matrix <paramref name="matrix"/> (only its lower triangle is read).
    /// False when an entry is not finite.
    /// </summary>
    public bool Factor(ReadOnlySpan<double> matrix, int n)
    {
        if (n > Capacity) throw new ArgumentOutOfRangeException(nameof(n));
        _n = n;
        var a = _a.AsSpan(0, n * n);
        double scale = 0;
        for (int i = 0; i < n; i++)
        {
            _perm[i] = i;
            for (int j = 0; j <= i; j++)
            {
                double v = matrix[i * n + j];
                if (!double.IsFinite(v)) return false;
                a[i * n + j] = v;
                a[j * n + i] = v;
                scale = Math.Max(scale, Math.Abs(v));
            }
        }
        if (Equilibrate)
        {
            _scaling ??= new double[Capacity];
            scale = 0;
            for (int i = 0; i < n; i++)
            {
                double rowMax = 0;
                for (int j = 0; j < n; j++) rowMax = Math.Max(rowMax, Math.Abs(a[i * n + j]));
                _scaling[i] = rowMax > 0 ? 1 / Math.Sqrt(rowMax) : 1;
            }
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    a[i * n + j] *= _scaling[i] * _scaling[j];
                    scale = Math.Max(scale, Math.Abs(a[i * n + j]));
                }
            }
        }
        double zero = ZeroPivotTolerance * Math.Max(scale, double.Epsilon);
        Positive = Negative = Zero = 0;

        int k = 0;
        while (k < n)
        {
            double absakk = Math.Abs(a[k * n + k]);
            int imax = k;
            double colmax = 0;
            for (int i = k + 1; i < n; i++)
            {
                double v = Math.Abs(a[i * n + k]);
                if (v > colmax) { colmax = v; imax = i; }
            }
            int step = 1;
            if (Math.Max(absakk, colmax) <= zero)
            {
                // The whole column is (numerically) zero: a zero eigenvalue; L's column stays 0.
                Zero++;
                _block[k] = 1;
                a[k * n + k] = 0;
                for (int i = k + 1; i < n; i++) a[i * n + k] = 0;
                k++;
                continue;
            }
            int pivot = k;
            if (absakk < Alpha * colmax)
            {
                double rowmax = 0;
                for (int j = k; j < n; j++)
                {
                    if (j != imax) rowmax = Math.Max(rowmax, Math.Abs(a[imax * n + j]));
                }
                if (absakk * rowmax >= Alpha * colmax * colmax) pivot = k;
                else if (Math.Abs(a[imax * n + imax]) >= Alpha * rowmax) pivot = imax;
                else { pivot = imax; step = 2; }
            }
            if (step == 1)
            {
                if (pivot != k) Swap(k, pivot);
                double d = a[k * n + k];
                _block[k] = 1;
                if (Math.Abs(d) <= zero) Zero++;
                else if (d > 0) Positive++;
                else Negative++;
                if (d == 0) { k++; continue; } // only reachable when the column below is zero too
                for (int i = k + 1; i < n; i++)
                {
                    double ci = a[i * n + k];
                    if (ci == 0) continue;
                    double li = ci / d;
                    var row = a.Slice(i * n, n);
                    for (int j = k + 1; j <= i; j++) row[j] -= li * a[j * n + k];
                }
                for (int i = k + 1; i < n; i++) a[i * n + k] /= d;
                MirrorTrailing(k + 1);
                k++;
            }
            else
            {
                if (pivot != k + 1) Swap(k + 1, pivot);
                double d11 = a[k * n + k], d21 = a[(k + 1) * n + k], d22 = a[(k + 1) * n + k + 1];
                double det = d11 * d22 - d21 * d21;
                _block[k] = 2;
                _block[k + 1] = 0;
                CountTwoByTwo(d11, d22, det, zero);
                // L's two columns: [l_i1, l_i2] = [c_i1, c_i2]·D⁻¹ with D⁻¹ = [d22, −d21; −d21, d11]/det; the trailing block
                // loses C·D⁻¹·Cᵀ. First update (reading the original columns), then store L.
                for (int i = k + 2; i < n; i++)
                {
                    double c1 = a[i * n + k], c2 = a[i * n + k + 1];
                    if (c1 == 0 && c2 == 0) continue;
                    double l1 = (c1 * d22 - c2 * d21) / det;
                    double l2 = (c2 * d11 - c1 * d21) / det;
                    var row = a.Slice(i * n, n);
                    for (int j = k + 2; j <= i; j++) row[j] -= l1 * a[j * n + k] + l2 * a[j * n + k + 1];
                }
                for (int i = k + 2; i < n; i++)
                {
                    double c1 = a[i * n + k], c2 = a[i * n + k + 1];
                    a[i * n + k] = (c1 * d22 - c2 * d21) / det;
                    a[i * n + k + 1] = (c2 * d11 - c1 * d21) / det;
                }
                MirrorTrailing(k + 2);
                k += 2;
            }
        }
        return true;
    }

    private void CountTwoByTwo(double d11, double d22, double det, double zero)
    {
        // Eigenvalues of [d11 d21; d21 d22]: their product is det, their sum d11 + d22.
        double trace = d11 + d22;
        double big = Math.Max(Math.Abs(trace), zero);
        if (Math.Abs(det) <= zero * big)
        {
            Zero++;
            if (trace > 0) Positive++;
            else if (trace < 0) Negative++;
            else Zero++;
        }
        else if (det < 0) { Positive++; Negative++; }
        else if (trace > 0) Positive += 2;
        else Negative += 2;
    }

    /// <summary>Copies the lower triangle of the trailing block (from index <paramref name="from"/>) to its upper triangle.</summary>
    private void MirrorTrailing(int from)
    {
        int n = _n;
        var a = _a;
        for (int i = from; i < n; i++)
            for (int j = from; j < i; j++)
                a[j * n + i] = a[i * n + j];
    }

    /// <summary>Symmetric interchange of rows and columns p and q (both in the trailing block), with the rows of L already computed.</summary>
    private void Swap(int p, int q)
    {
        int n = _n;
        var a = _a;
        for (int j = 0; j < n; j++) (a[p * n + j], a[q * n + j]) = (a[q * n + j], a[p * n + j]);
        for (int i = 0; i < n; i++) (a[i * n + p], a[i * n + q]) = (a[i * n + q], a[i * n + p]);
        (_perm[p], _perm[q]) = (_perm[q], _perm[p]);
    }

    /// <summary>Solves A·x = b in place with the last factorization (zero pivots are treated as infinite: their components are set to 0).</summary>
    public void Solve(Span<double> b)
    {
        int n = _n;
        var a = _a;
        var y = _work.AsSpan(0, n);
        if (Equilibrate) for (int i = 0; i < n; i++) b[i] *= _scaling![i];
        for (int i = 0; i < n; i++) y[i] = b[_perm[i]];
        // L·u = y (unit lower; a 2×2 block has an identity diagonal block in L).
        for (int k = 0; k < n; k++)
        {
            int size = _block[k];
            if (size == 0) continue;
            int last = k + size - 1;
            for (int j = k; j <= last; j++)
            {
                double yj = y[j];
                if (yj == 0) continue;
                for (int i = last + 1; i < n; i++) y[i] -= a[i * n + j] * yj;
            }
        }
        // D·v = u.
        for (int k = 0; k < n; k++)
        {
            int size = _block[k];
            if (size == 1)
            {
                double d = a[k * n + k];
                y[k] = d == 0 ? 0 : y[k] / d;
            }
            else if (size == 2)
            {
                double d11 = a[k * n + k], d21 = a[(k + 1) * n + k], d22 = a[(k + 1) * n + k + 1];
                double det = d11 * d22 - d21 * d21;
                double u1 = y[k], u2 = y[k + 1];
                y[k] = (d22 * u1 - d21 * u2) / det;
                y[k + 1] = (d11 * u2 - d21 * u1) / det;
            }
        }
        // Lᵀ·w = v.
        for (int k = n - 1; k >= 0; k--)
        {
            int size = _block[k];
            if (size == 0) continue;
            int last = k + size - 1;
            for (int j = k; j <= last; j++)
            {
                double sum = y[j];
                for (int i = last + 1; i < n; i++) sum -= a[i * n + j] * y[i];
                y[j] = sum;
            }
        }
        for (int i = 0; i < n; i++) b[_perm[i]] = y[i];
        if (Equilibrate) for (int i = 0; i < n; i++) b[i] *= _scaling![i];
    }
}

using System;

namespace OptDsl.Runtime.Linear;

/// <summary>
/// Dense Cholesky factorization A = L·Lᵀ of a symmetric row-major n×n matrix (lower triangle read), and the
/// Gill–Murray–Wright modified factorization that makes an indefinite Hessian positive definite for a Newton step.
/// </summary>
internal static class Cholesky
{
    /// <summary>Factors A into the lower triangle of <paramref name="l"/> (the strict upper part is zeroed). False when A is not numerically positive definite.</summary>
    public static bool TryFactor(ReadOnlySpan<double> a, Span<double> l, int n) => TryFactorShifted(a, l, n, 0.0);

    /// <summary>Factors A + τI; false when that is not numerically positive definite.</summary>
    public static bool TryFactorShifted(ReadOnlySpan<double> a, Span<double> l, int n, double tau)
    {
        if (tau != 0)
        {
            for (int i = 0; i < n; i++) if (!double.IsFinite(a[i * n + i] + tau)) return false;
        }
        for (int j = 0; j < n; j++)
        {
            var lj = l.Slice(j * n, n);
            double diag = a[j * n + j] + tau;
            for (int k = 0; k < j; k++) diag -= lj[k] * lj[k];
            if (!(diag > 0) || !double.IsFinite(diag)) return false;
            double ljj = Math.Sqrt(diag);
            lj[j] = ljj;
            for (int k = j + 1; k < n; k++) lj[k] = 0.0;
            for (int i = j + 1; i < n; i++)
            {
                var li = l.Slice(i * n, n);
                double sum = a[i * n + j];
                for (int k = 0; k < j; k++) sum -= li[k] * lj[k];
                li[j] = sum / ljj;
            }
        }
        return true;
    }

    /// <summary>
    /// Gill–Murray–Wright modified Cholesky (Practical Optimization, 1981, §4.4.2.2): A + E = L·D·Lᵀ with E diagonal ≥ 0,
    /// chosen column by column so that every pivot dⱼ ≥ max(|cⱼⱼ|, θⱼ²/β², δ), where θⱼ is the largest element below the
    /// pivot, β² = max(γ, ξ/√(n² − 1), ε) with γ, ξ the largest diagonal and off-diagonal magnitudes, and
    /// δ = ε·max(γ + ξ, 1). E is zero for a sufficiently positive-definite A and stays bounded otherwise; negative
    /// pivots are flipped rather than shifted, so well-scaled directions keep their curvature. The factor is returned as
    /// L·√D in <paramref name="l"/> (usable with <see cref="Solve"/>); the return value is max Eⱼⱼ, or NaN for non-finite A.
    /// </summary>
    public static double FactorGillMurray(ReadOnlySpan<double> a, Span<double> l, int n, Span<double> d)
    {
        const double eps = 2.220446049250313e-16;
        double gamma = 0, xi = 0;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double v = a[i * n + j];
                if (!double.IsFinite(v)) return double.NaN;
                if (i == j) gamma = Math.Max(gamma, Math.Abs(v));
                else xi = Math.Max(xi, Math.Abs(v));
            }
        }
        double nu = n > 1 ? Math.Sqrt(n * (double)n - 1) : 1;
        double beta2 = Math.Max(Math.Max(gamma, xi / nu), eps);
        double delta = eps * Math.Max(gamma + xi, 1);
        double maxE = 0;
        l.Slice(0, n * n).Clear();
        // l holds the unit lower factor during the loop (strictly lower part); d the pivots.
        for (int j = 0; j < n; j++)
        {
            double cjj = a[j * n + j];
            for (int s = 0; s < j; s++) cjj -= d[s] * l[j * n + s] * l[j * n + s];
            double theta = 0;
            for (int i = j + 1; i < n; i++)
            {
                double cij = a[i * n + j];
                for (int s = 0; s < j; s++) cij -= d[s] * l[i * n + s] * l[j * n + s];
                l[i * n + j] = cij; // c_ij for now
                theta = Math.Max(theta, Math.Abs(cij));
            }
            double dj = Math.Max(Math.Max(Math.Abs(cjj), theta * theta / beta2), delta);
            maxE = Math.Max(maxE, dj - cjj);
            d[j] = dj;
            for (int i = j + 1; i < n; i++) l[i * n + j] /= dj;
        }
        // Convert L·D·Lᵀ into (L√D)(L√D)ᵀ.
        for (int j = 0; j < n; j++)
        {
            double sq = Math.Sqrt(d[j]);
            l[j * n + j] = sq;
            for (int i = j + 1; i < n; i++) l[i * n + j] *= sq;
        }
        return maxE;
    }

    /// <summary>Solves L·Lᵀ·x = b in place.</summary>
    public static void Solve(ReadOnlySpan<double> l, int n, Span<double> b)
    {
        for (int i = 0; i < n; i++)
        {
            double sum = b[i];
            var li = l.Slice(i * n, i);
            for (int k = 0; k < i; k++) sum -= li[k] * b[k];
            b[i] = sum / l[i * n + i];
        }
        for (int i = n - 1; i >= 0; i--)
        {
            double sum = b[i];
            for (int k = i + 1; k < n; k++) sum -= l[k * n + i] * b[k];
            b[i] = sum / l[i * n + i];
        }
    }
}

using System;

namespace OptDsl.Runtime.Linear;

/// <summary>
/// Dense Cholesky factorization A = L·Lᵀ of a symmetric row-major n×n matrix (lower triangle read),
/// and the "Cholesky with added multiple of the identity" modification (Nocedal &amp; Wright, Algorithm 3.3, on the diagonally scaled matrix)
/// that makes an indefinite Hessian positive definite for a Newton step.
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

    /// <summary>Factors A + diag(shift) in place of <paramref name="l"/>; false when that is not numerically positive definite.</summary>
    public static bool TryFactorShifted(ReadOnlySpan<double> a, Span<double> l, int n, double tau, ReadOnlySpan<double> scale)
    {
        for (int j = 0; j < n; j++)
        {
            var lj = l.Slice(j * n, n);
            double diag = a[j * n + j] + tau * scale[j];
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
    /// Modified Cholesky: factors A + τ·D, D = diag(dᵢ) with dᵢ = max(|aᵢᵢ|, 10⁻⁸·max |aⱼⱼ|), for the smallest τ of the
    /// sequence 0, τ₀, 2τ₀, 4τ₀, … that gives a positive-definite matrix. This is Nocedal &amp; Wright's Algorithm 3.3
    /// (Cholesky with added multiple of the identity) applied to the diagonally scaled matrix D^(−½)·A·D^(−½), so the
    /// shift respects badly scaled variables: τ₀ = 10⁻³, or 1 + 10⁻³ when some aᵢᵢ ≤ 0.
    /// <paramref name="scale"/> (length n) receives D. Returns τ, or NaN when A has non-finite entries.
    /// </summary>
    public static double FactorModified(ReadOnlySpan<double> a, Span<double> l, int n, Span<double> scale)
    {
        const double beta = 1e-3;
        double maxDiag = 0;
        bool nonPositive = false;
        for (int i = 0; i < n * n; i++) if (!double.IsFinite(a[i])) return double.NaN;
        for (int i = 0; i < n; i++)
        {
            maxDiag = Math.Max(maxDiag, Math.Abs(a[i * n + i]));
            nonPositive |= !(a[i * n + i] > 0);
        }
        double floor = Math.Max(1e-8 * maxDiag, 1e-300);
        if (maxDiag == 0) floor = 1.0;
        for (int i = 0; i < n; i++) scale[i] = Math.Max(Math.Abs(a[i * n + i]), floor);
        double tau = 0;
        if (!nonPositive && TryFactorShifted(a, l, n, 0, scale)) return 0;
        tau = nonPositive ? 1 + beta : beta;
        for (int attempt = 0; attempt < 1100; attempt++)
        {
            if (TryFactorShifted(a, l, n, tau, scale)) return tau;
            tau *= 2;
            if (!double.IsFinite(tau)) break;
        }
        return double.NaN;
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

    /// <summary>Solves L·y = b in place (forward substitution only).</summary>
    public static void SolveLower(ReadOnlySpan<double> l, int n, Span<double> b)
    {
        for (int i = 0; i < n; i++)
        {
            double sum = b[i];
            for (int k = 0; k < i; k++) sum -= l[i * n + k] * b[k];
            b[i] = sum / l[i * n + i];
        }
    }
}

using System;

namespace OptDsl.Runtime.Linear;

/// <summary>LU factorization with partial pivoting of a small dense row-major matrix, in place.</summary>
internal static class DenseLu
{
    /// <summary>Factors the n×n matrix <paramref name="a"/> in place; false when a pivot is zero or not finite.</summary>
    public static bool Factor(Span<double> a, int n, Span<int> pivots)
    {
        for (int k = 0; k < n; k++)
        {
            int p = k;
            double max = Math.Abs(a[k * n + k]);
            for (int i = k + 1; i < n; i++)
            {
                double v = Math.Abs(a[i * n + k]);
                if (v > max) { max = v; p = i; }
            }
            pivots[k] = p;
            if (!(max > 0) || !double.IsFinite(max)) return false;
            if (p != k)
            {
                for (int j = 0; j < n; j++) (a[k * n + j], a[p * n + j]) = (a[p * n + j], a[k * n + j]);
            }
            double pivot = a[k * n + k];
            for (int i = k + 1; i < n; i++)
            {
                double factor = a[i * n + k] /= pivot;
                if (factor == 0) continue;
                for (int j = k + 1; j < n; j++) a[i * n + j] -= factor * a[k * n + j];
            }
        }
        return true;
    }

    /// <summary>Solves A·x = b in place in <paramref name="b"/> with the factors from <see cref="Factor"/>.</summary>
    public static void Solve(ReadOnlySpan<double> lu, int n, ReadOnlySpan<int> pivots, Span<double> b)
    {
        for (int k = 0; k < n; k++)
        {
            int p = pivots[k];
            if (p != k) (b[k], b[p]) = (b[p], b[k]);
        }
        for (int i = 0; i < n; i++)
        {
            double sum = b[i];
            for (int j = 0; j < i; j++) sum -= lu[i * n + j] * b[j];
            b[i] = sum;
        }
        for (int i = n - 1; i >= 0; i--)
        {
            double sum = b[i];
            for (int j = i + 1; j < n; j++) sum -= lu[i * n + j] * b[j];
            b[i] = sum / lu[i * n + i];
        }
    }
}

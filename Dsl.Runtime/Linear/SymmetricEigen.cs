using System;

namespace OptDsl.Runtime.Linear;

/// <summary>
/// Eigen-decomposition A = V·diag(λ)·Vᵀ of a dense symmetric matrix by the cyclic Jacobi method
/// (Golub &amp; Van Loan §8.5): slow (a few O(n³) sweeps) but simple and accurate to the last digits,
/// which the exact trust-region subproblem needs in its hard case.
/// </summary>
internal static class SymmetricEigen
{
    /// <summary>
    /// Decomposes the row-major symmetric n×n <paramref name="a"/>; <paramref name="work"/> (n×n) receives a scratch copy,
    /// <paramref name="values"/> the eigenvalues (unordered) and <paramref name="vectors"/> the eigenvectors as columns.
    /// Returns false if the matrix has non-finite entries.
    /// </summary>
    public static bool Decompose(ReadOnlySpan<double> a, Span<double> work, Span<double> values, Span<double> vectors, int n)
    {
        a.Slice(0, n * n).CopyTo(work);
        vectors.Slice(0, n * n).Clear();
        for (int i = 0; i < n; i++) vectors[i * n + i] = 1;
        for (int i = 0; i < n * n; i++) if (!double.IsFinite(work[i])) return false;

        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0, diag = 0;
            for (int p = 0; p < n; p++)
            {
                diag += work[p * n + p] * work[p * n + p];
                for (int q = p + 1; q < n; q++) off += work[p * n + q] * work[p * n + q];
            }
            if (off <= 1e-32 * diag || off == 0) break;

            for (int p = 0; p < n - 1; p++)
            {
                for (int q = p + 1; q < n; q++)
                {
                    double apq = work[p * n + q];
                    if (apq == 0) continue;
                    double app = work[p * n + p], aqq = work[q * n + q];
                    if (Math.Abs(apq) <= 1e-18 * Math.Sqrt(Math.Abs(app * aqq))) { work[p * n + q] = 0; work[q * n + p] = 0; continue; }
                    double theta = (aqq - app) / (2 * apq);
                    double t = Math.Sign(theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    if (theta == 0) t = 1;
                    double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
                    for (int k = 0; k < n; k++)
                    {
                        double akp = work[k * n + p], akq = work[k * n + q];
                        work[k * n + p] = c * akp - s * akq;
                        work[k * n + q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double apk = work[p * n + k], aqk = work[q * n + k];
                        work[p * n + k] = c * apk - s * aqk;
                        work[q * n + k] = s * apk + c * aqk;
                    }
                    work[p * n + q] = 0;
                    work[q * n + p] = 0;
                    for (int k = 0; k < n; k++)
                    {
                        double vkp = vectors[k * n + p], vkq = vectors[k * n + q];
                        vectors[k * n + p] = c * vkp - s * vkq;
                        vectors[k * n + q] = s * vkp + c * vkq;
                    }
                }
            }
        }
        for (int i = 0; i < n; i++) values[i] = work[i * n + i];
        return true;
    }
}

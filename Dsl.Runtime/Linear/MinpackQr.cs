using System;
using System.Numerics.Tensors;
using OptDsl.Runtime.Internal;

namespace OptDsl.Runtime.Linear;

/// <summary>
/// The linear algebra of MINPACK's Levenberg–Marquardt code (Moré, Garbow &amp; Hillstrom 1980), transcribed from
/// <c>qrfac</c> (Householder QR with column pivoting) and <c>qrsolv</c> (least squares with a diagonal regularization
/// by Givens rotations). Matrices are column-major as in the Fortran original: element (i, j) of an array with leading
/// dimension <c>ld</c> is <c>a[i + j·ld]</c>.
/// </summary>
internal static class MinpackQr
{
    private const double Epsilon = 2.220446049250313e-16;

    private static double Norm(ReadOnlySpan<double> v) => Vec.Norm(v);

    /// <summary>
    /// QR factorization with column pivoting of the m×n matrix <paramref name="a"/> (leading dimension <paramref name="ld"/>):
    /// A·P = Q·R. On return the strict upper triangle of the first n rows holds R (without its diagonal, which is in
    /// <paramref name="rdiag"/>), the lower trapezoid holds the Householder vectors, <paramref name="ipvt"/> the permutation
    /// and <paramref name="acnorm"/> the column norms of the original A.
    /// </summary>
    public static void Factor(int m, int n, Span<double> a, int ld, Span<int> ipvt, Span<double> rdiag, Span<double> acnorm, Span<double> wa)
    {
        for (int j = 0; j < n; j++)
        {
            acnorm[j] = Norm(a.Slice(j * ld, m));
            rdiag[j] = acnorm[j];
            wa[j] = rdiag[j];
            ipvt[j] = j;
        }
        int minmn = Math.Min(m, n);
        for (int j = 0; j < minmn; j++)
        {
            int kmax = j;
            for (int k = j; k < n; k++) if (rdiag[k] > rdiag[kmax]) kmax = k;
            if (kmax != j)
            {
                for (int i = 0; i < m; i++) (a[i + j * ld], a[i + kmax * ld]) = (a[i + kmax * ld], a[i + j * ld]);
                rdiag[kmax] = rdiag[j];
                wa[kmax] = wa[j];
                (ipvt[j], ipvt[kmax]) = (ipvt[kmax], ipvt[j]);
            }

            var colJ = a.Slice(j + j * ld, m - j);
            double ajnorm = Norm(colJ);
            if (ajnorm != 0)
            {
                if (colJ[0] < 0) ajnorm = -ajnorm;
                TensorPrimitives.Divide(colJ, ajnorm, colJ);
                colJ[0] += 1;
                for (int k = j + 1; k < n; k++)
                {
                    var colK = a.Slice(j + k * ld, m - j);
                    double temp = Vec.Dot(colJ, colK) / colJ[0];
                    TensorPrimitives.MultiplyAdd(colJ, -temp, colK, colK);
                    if (rdiag[k] != 0)
                    {
                        temp = a[j + k * ld] / rdiag[k];
                        rdiag[k] *= Math.Sqrt(Math.Max(0, 1 - temp * temp));
                        double ratio = rdiag[k] / wa[k];
                        if (0.05 * ratio * ratio <= Epsilon)
                        {
                            rdiag[k] = Norm(a.Slice(j + 1 + k * ld, m - j - 1));
                            wa[k] = rdiag[k];
                        }
                    }
                }
            }
            rdiag[j] = -ajnorm;
        }
    }

    /// <summary>
    /// Given the QR factors (R in the upper triangle of <paramref name="r"/>, leading dimension <paramref name="ld"/>),
    /// solves min ‖A·x − b‖² + ‖D·x‖² with D = diag(<paramref name="diag"/>), given <paramref name="qtb"/> = first n
    /// components of Qᵀb. On return the strict lower triangle of <paramref name="r"/> and <paramref name="sdiag"/> hold
    /// the triangular factor S with Pᵀ(AᵀA + DD)P = SᵀS. <paramref name="x"/> receives the solution.
    /// </summary>
    public static void Solve(int n, Span<double> r, int ld, ReadOnlySpan<int> ipvt, ReadOnlySpan<double> diag, ReadOnlySpan<double> qtb,
        Span<double> x, Span<double> sdiag, Span<double> wa)
    {
        for (int j = 0; j < n; j++)
        {
            for (int i = j; i < n; i++) r[i + j * ld] = r[j + i * ld];
            x[j] = r[j + j * ld];
            wa[j] = qtb[j];
        }
        for (int j = 0; j < n; j++)
        {
            int l = ipvt[j];
            if (diag[l] != 0)
            {
                for (int k = j; k < n; k++) sdiag[k] = 0;
                sdiag[j] = diag[l];
                double qtbpj = 0;
                for (int k = j; k < n; k++)
                {
                    if (sdiag[k] == 0) continue;
                    double rkk = r[k + k * ld];
                    double sin, cos;
                    if (Math.Abs(rkk) < Math.Abs(sdiag[k]))
                    {
                        double cotan = rkk / sdiag[k];
                        sin = 0.5 / Math.Sqrt(0.25 + 0.25 * cotan * cotan);
                        cos = sin * cotan;
                    }
                    else
                    {
                        double tan = sdiag[k] / rkk;
                        cos = 0.5 / Math.Sqrt(0.25 + 0.25 * tan * tan);
                        sin = cos * tan;
                    }
                    r[k + k * ld] = cos * rkk + sin * sdiag[k];
                    double temp = cos * wa[k] + sin * qtbpj;
                    qtbpj = -sin * wa[k] + cos * qtbpj;
                    wa[k] = temp;
                    for (int i = k + 1; i < n; i++)
                    {
                        temp = cos * r[i + k * ld] + sin * sdiag[i];
                        sdiag[i] = -sin * r[i + k * ld] + cos * sdiag[i];
                        r[i + k * ld] = temp;
                    }
                }
            }
            sdiag[j] = r[j + j * ld];
            r[j + j * ld] = x[j];
        }

        int nsing = n;
        for (int j = 0; j < n; j++)
        {
            if (sdiag[j] == 0 && nsing == n) nsing = j;
            if (nsing < n) wa[j] = 0;
        }
        for (int j = nsing - 1; j >= 0; j--)
        {
            double sum = 0;
            for (int i = j + 1; i < nsing; i++) sum += r[i + j * ld] * wa[i];
            wa[j] = (wa[j] - sum) / sdiag[j];
        }
        for (int j = 0; j < n; j++) x[ipvt[j]] = wa[j];
    }
}

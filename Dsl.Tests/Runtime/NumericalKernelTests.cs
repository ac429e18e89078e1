using System;
using OptDsl.Runtime.LineSearch;
using OptDsl.Runtime.Linear;
using Xunit;

namespace OptDsl.Tests.Runtime;

/// <summary>The shared numerical pieces on small cases with known answers.</summary>
public class NumericalKernelTests
{
    /// <summary>Drives the reverse-communication search on φ(α) and returns the final task and step.</summary>
    private static (LineSearchTask Task, double Step, int Evaluations) Search(Func<double, (double F, double G)> phi, double step0, double stepMax = 1e10)
    {
        var search = new MoreThuente(1e-4, 0.9, 0.1);
        var (f0, g0) = phi(0);
        var task = search.Start(f0, g0, step0, 0, stepMax);
        int evaluations = 0;
        while (task == LineSearchTask.Evaluate && evaluations < 50)
        {
            var (f, g) = phi(search.Step);
            evaluations++;
            task = search.Next(f, g);
        }
        return (task, search.Step, evaluations);
    }

    private static void AssertStrongWolfe(Func<double, (double F, double G)> phi, double step)
    {
        var (f0, g0) = phi(0);
        var (f, g) = phi(step);
        Assert.True(f <= f0 + 1e-4 * step * g0, $"sufficient decrease fails at {step}");
        Assert.True(Math.Abs(g) <= 0.9 * Math.Abs(g0), $"curvature condition fails at {step}");
    }

    [Theory]
    [InlineData(1e-3)]
    [InlineData(1.0)]
    [InlineData(1e3)]
    public void MoreThuente_finds_a_strong_Wolfe_step_on_the_first_test_function_of_the_paper(double step0)
    {
        // Moré & Thuente (1994), function 1: φ(α) = −α/(α² + β) with β = 2.
        static (double, double) Phi(double a) => (-a / (a * a + 2), (a * a - 2) / ((a * a + 2) * (a * a + 2)));
        var (task, step, evaluations) = Search(Phi, step0);
        Assert.Equal(LineSearchTask.Converged, task);
        AssertStrongWolfe(Phi, step);
        Assert.True(evaluations <= 12, $"{evaluations} evaluations");
    }

    [Theory]
    [InlineData(1e-3)]
    [InlineData(1e3)]
    public void MoreThuente_handles_a_function_that_is_NaN_beyond_a_point(double step0)
    {
        // φ(α) = (α − 1)² − 1, but NaN for α > 5: the search must retreat and still converge.
        static (double, double) Phi(double a) => a > 5 ? (double.NaN, double.NaN) : ((a - 1) * (a - 1) - 1, 2 * (a - 1));
        var (task, step, _) = Search(Phi, step0);
        Assert.Equal(LineSearchTask.Converged, task);
        AssertStrongWolfe(Phi, step);
    }

    [Fact]
    public void MoreThuente_stops_at_the_step_bound_when_the_function_keeps_decreasing()
    {
        static (double, double) Phi(double a) => (-a, -1);
        var (task, step, _) = Search(Phi, 1.0, stepMax: 10);
        Assert.Equal(LineSearchTask.Warning, task);
        Assert.Equal(10, step);
    }

    [Fact]
    public void Cholesky_solves_a_positive_definite_system()
    {
        double[] a = [4, 2, 0.6, 2, 5, 1, 0.6, 1, 3];
        double[] x = [1, -2, 0.5];
        var b = new double[3];
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) b[i] += a[i * 3 + j] * x[j];
        var l = new double[9];
        Assert.True(Cholesky.TryFactor(a, l, 3));
        Cholesky.Solve(l, 3, b);
        for (int i = 0; i < 3; i++) Assert.Equal(x[i], b[i], 13);
        Assert.False(Cholesky.TryFactor([1, 2, 2, 1], new double[4], 2));
    }

    [Fact]
    public void Gill_Murray_Cholesky_leaves_a_positive_definite_matrix_alone_and_repairs_an_indefinite_one()
    {
        var l = new double[9];
        var d = new double[3];
        double[] spd = [4, 2, 0.6, 2, 5, 1, 0.6, 1, 3];
        Assert.Equal(0, Cholesky.FactorGillMurray(spd, l, 3, d));
        var expected = new double[9];
        Assert.True(Cholesky.TryFactor(spd, expected, 3));
        for (int k = 0; k < 9; k++) Assert.Equal(expected[k], l[k], 12);

        // Indefinite (eigenvalues 3 and −1): L·Lᵀ = A + E with E diagonal, non-negative, and the result positive definite.
        double[] a = [1, 2, 2, 1];
        var l2 = new double[4];
        var d2 = new double[2];
        double maxE = Cholesky.FactorGillMurray(a, l2, 2, d2);
        Assert.True(maxE > 0);
        double r00 = l2[0] * l2[0], r10 = l2[2] * l2[0], r11 = l2[2] * l2[2] + l2[3] * l2[3];
        Assert.Equal(a[2], r10, 12);
        Assert.True(r00 >= a[0] && r11 >= a[3]);
        Assert.True(r00 * r11 - r10 * r10 > 0);
        Assert.True(double.IsNaN(Cholesky.FactorGillMurray([double.NaN, 0, 0, 1], l2, 2, d2)));
    }

    [Fact]
    public void Jacobi_eigen_decomposition_reconstructs_the_matrix()
    {
        const int n = 4;
        double[] a = [4, 1, -2, 2, 1, 2, 0, 1, -2, 0, 3, -2, 2, 1, -2, -1];
        var values = new double[n];
        var vectors = new double[n * n];
        Assert.True(SymmetricEigen.Decompose(a, new double[n * n], values, vectors, n));
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int k = 0; k < n; k++) s += vectors[i * n + k] * values[k] * vectors[j * n + k];
                Assert.Equal(a[i * n + j], s, 12);
            }
        double trace = 0;
        foreach (double v in values) trace += v;
        Assert.Equal(8, trace, 12);
    }

    [Fact]
    public void Trust_region_subproblem_covers_interior_boundary_and_hard_cases()
    {
        var tr = new TrustRegionSubproblem(2);
        var p = new double[2];

        // Positive definite, Newton step inside: p = −H⁻¹g.
        tr.SetModel([2, 0, 0, 4], [-2, -4]);
        double decrease = tr.Solve(10, p);
        Assert.Equal(1, p[0], 12);
        Assert.Equal(1, p[1], 12);
        Assert.Equal(3, decrease, 12);

        // Same model, small radius: on the boundary with (H + μI)p = −g, μ > 0.
        tr.Solve(0.5, p);
        Assert.Equal(0.5, Math.Sqrt(p[0] * p[0] + p[1] * p[1]), 9);
        Assert.True(tr.Shift > 0);
        Assert.Equal(-(-2), (2 + tr.Shift) * p[0], 9);

        // Hard case: H = diag(−1, 2), g = (0, 2) has no component along the negative eigenvector.
        tr.SetModel([-1, 0, 0, 2], [0, 2]);
        decrease = tr.Solve(2, p);
        Assert.Equal(2, Math.Sqrt(p[0] * p[0] + p[1] * p[1]), 9);
        Assert.Equal(1, tr.Shift, 9);
        Assert.Equal(-2.0 / 3.0, p[1], 9);
        double model = 2 * p[1] + 0.5 * (-p[0] * p[0] + 2 * p[1] * p[1]);
        Assert.Equal(-model, decrease, 9);
    }

    [Fact]
    public void Minpack_qr_solves_a_regularized_least_squares_problem()
    {
        // min ‖A·x − b‖² + ‖D·x‖² against the normal equations (AᵀA + D²)x = Aᵀb.
        const int m = 4, n = 3;
        double[,] a = { { 1, 2, 0 }, { 0, 1, 1 }, { 3, 0, 1 }, { 1, 1, 1 } };
        double[] b = [1, 2, 3, 4];
        double[] d = [0.5, 0.1, 2];
        var colMajor = new double[m * n];
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) colMajor[i + j * m] = a[i, j];
        var ipvt = new int[n];
        var rdiag = new double[n];
        var acnorm = new double[n];
        MinpackQr.Factor(m, n, colMajor, m, ipvt, rdiag, acnorm, new double[n]);
        // Qᵀb as lmder forms it, then restore R's diagonal.
        var qtb = (double[])b.Clone();
        for (int j = 0; j < n; j++)
        {
            double ajj = colMajor[j + j * m];
            if (ajj != 0)
            {
                double s = 0;
                for (int i = j; i < m; i++) s += colMajor[i + j * m] * qtb[i];
                for (int i = j; i < m; i++) qtb[i] -= s / ajj * colMajor[i + j * m];
            }
            colMajor[j + j * m] = rdiag[j];
        }
        var x = new double[n];
        MinpackQr.Solve(n, colMajor, m, ipvt, d, qtb, x, new double[n], new double[n]);

        var normal = new double[n * n];
        var rhs = new double[n];
        for (int p = 0; p < n; p++)
        {
            for (int q = 0; q < n; q++) for (int i = 0; i < m; i++) normal[p * n + q] += a[i, p] * a[i, q];
            normal[p * n + p] += d[p] * d[p];
            for (int i = 0; i < m; i++) rhs[p] += a[i, p] * b[i];
        }
        var l = new double[n * n];
        Assert.True(Cholesky.TryFactor(normal, l, n));
        Cholesky.Solve(l, n, rhs);
        for (int j = 0; j < n; j++) Assert.Equal(rhs[j], x[j], 12);
    }

    [Fact]
    public void Sigmoid_and_softplus_from_a_shared_exponential_are_the_single_functions_bit_for_bit()
    {
        // Generated code computes σ(u) and softplus(u) of one u from one e^(−|u|) (KernelScheduler.ExpPartner).
        double[] special = [0, -0.0, 1e-300, -1e-300, 36.7, -36.7, 709.8, -745.2, 1e308, -1e308, double.PositiveInfinity, double.NegativeInfinity, double.NaN];
        var random = new Random(5);
        var values = new double[10_000];
        for (int k = 0; k < values.Length; k++) values[k] = k < special.Length ? special[k] : (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-8, 4));
        foreach (double u in values)
        {
            double e = Math.Exp(-Math.Abs(u));
            Assert.Equal(BitConverter.DoubleToInt64Bits(OptDsl.Runtime.OptMath.Sigmoid(u)), BitConverter.DoubleToInt64Bits(OptDsl.Runtime.OptMath.SigmoidOfExp(u, e)));
            Assert.Equal(BitConverter.DoubleToInt64Bits(OptDsl.Runtime.OptMath.Softplus(u)), BitConverter.DoubleToInt64Bits(OptDsl.Runtime.OptMath.SoftplusOfExp(u, e)));
        }
    }
}

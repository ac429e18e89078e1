using System;
using System.Linq;
using OptDsl.Runtime.Linear;
using Xunit;

namespace OptDsl.Tests.Constrained;

/// <summary>The symmetric indefinite LDLᵀ (Bunch–Kaufman) behind the interior-point KKT solves: solutions and inertia.</summary>
public sealed class BunchKaufmanTests
{
    private static double[] RandomSymmetric(int n, Random random, Func<int, double>? diagonal = null)
    {
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double v = random.NextDouble() * 2 - 1;
                a[i * n + j] = v;
                a[j * n + i] = v;
            }
            if (diagonal is not null) a[i * n + i] = diagonal(i);
        }
        return a;
    }

    private static (int Positive, int Negative, int Zero) EigenInertia(double[] a, int n)
    {
        var values = new double[n];
        Assert.True(SymmetricEigen.Decompose(a, new double[n * n], values, new double[n * n], n));
        double scale = values.Max(Math.Abs);
        return (values.Count(v => v > 1e-10 * scale), values.Count(v => v < -1e-10 * scale), values.Count(v => Math.Abs(v) <= 1e-10 * scale));
    }

    private static void AssertSolves(double[] a, int n, BunchKaufman factor, Random random)
    {
        var x = Enumerable.Range(0, n).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        var b = new double[n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) b[i] += a[i * n + j] * x[j];
        factor.Solve(b);
        double scale = Math.Max(1, x.Max(Math.Abs));
        for (int i = 0; i < n; i++) Assert.True(Math.Abs(b[i] - x[i]) <= 1e-8 * scale, $"n = {n}, x[{i}]: {b[i]} vs {x[i]}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(20)]
    [InlineData(45)]
    public void Random_indefinite_matrices_are_solved_and_their_inertia_read(int n)
    {
        var random = new Random(1000 + n);
        var factor = new BunchKaufman(50);
        for (int trial = 0; trial < 20; trial++)
        {
            var a = RandomSymmetric(n, random);
            Assert.True(factor.Factor(a, n));
            var (p, q, z) = EigenInertia(a, n);
            Assert.Equal((p, q, z), (factor.Positive, factor.Negative, factor.Zero));
            AssertSolves(a, n, factor, random);
        }
    }

    [Fact]
    public void Zero_diagonals_force_two_by_two_pivots()
    {
        // The KKT shape [0 Aᵀ; A 0] and a matrix with an all-zero diagonal have no usable 1×1 pivot.
        var random = new Random(7);
        var factor = new BunchKaufman(12);
        for (int n = 2; n <= 12; n++)
        {
            var a = RandomSymmetric(n, random, _ => 0);
            Assert.True(factor.Factor(a, n));
            Assert.Equal(EigenInertia(a, n), (factor.Positive, factor.Negative, factor.Zero));
            AssertSolves(a, n, factor, random);
        }
        Assert.True(factor.Factor([0, 1, 1, 0], 2));
        Assert.Equal((1, 1, 0), (factor.Positive, factor.Negative, factor.Zero));
    }

    [Fact]
    public void Saddle_point_matrices_have_the_inertia_of_their_blocks()
    {
        // [H Aᵀ; A 0] with H positive definite on the null space of a full-rank A (m × n) has inertia (n, m, 0).
        var random = new Random(3);
        int n = 6, m = 3, size = n + m;
        var k = new double[size * size];
        for (int i = 0; i < n; i++) k[i * size + i] = 1 + i;
        for (int r = 0; r < m; r++)
        {
            for (int j = 0; j < n; j++)
            {
                double v = random.NextDouble() * 2 - 1;
                k[(n + r) * size + j] = v;
                k[j * size + n + r] = v;
            }
        }
        var factor = new BunchKaufman(size);
        Assert.True(factor.Factor(k, size));
        Assert.Equal((n, m, 0), (factor.Positive, factor.Negative, factor.Zero));
        AssertSolves(k, size, factor, random);
    }

    [Fact]
    public void Singular_matrices_report_zero_eigenvalues()
    {
        // Two equal constraint rows make the saddle-point matrix singular.
        double[] k =
        [
            2, 0, 1, 1,
            0, 2, 1, 1,
            1, 1, 0, 0,
            1, 1, 0, 0,
        ];
        var factor = new BunchKaufman(4);
        Assert.True(factor.Factor(k, 4));
        Assert.Equal(1, factor.Zero);
        Assert.Equal(EigenInertia(k, 4), (factor.Positive, factor.Negative, factor.Zero));
        Assert.True(factor.Factor(new double[9], 3));
        Assert.Equal((0, 0, 3), (factor.Positive, factor.Negative, factor.Zero));
    }

    [Fact]
    public void Only_the_lower_triangle_is_read_and_non_finite_entries_are_refused()
    {
        var factor = new BunchKaufman(2);
        Assert.True(factor.Factor([4, double.NaN, 2, 3], 2));
        var b = new[] { 6.0, 5.0 };
        factor.Solve(b);
        Assert.Equal(1, b[0], 12);
        Assert.Equal(1, b[1], 12);
        Assert.False(factor.Factor([1, 0, double.PositiveInfinity, 1], 2));
    }
}

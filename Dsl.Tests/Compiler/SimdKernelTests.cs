using System;
using System.Linq;
using System.Reflection;
using System.Runtime.Intrinsics;
using OptDsl.Runtime;
using Xunit;

namespace OptDsl.Tests.Compiler;

/// <summary>
/// The generated SIMD loops (LoopVectorizer): each kind (contiguous elements with every vectorized function, interleaved
/// pairs, rows four at a time with row stores and row sums) at sizes around the lane count and the unroll steps, so every
/// path runs (the four-lane loops, the unrolled loop, the scalar rest, rows left over), against values computed
/// independently here and derivatives against differences. The fuzz sample covers them on random programs too.
/// </summary>
public class SimdKernelTests
{
    private const string Source = """
        problem Rows {
            dim m;
            dim d;
            data X[m, d];
            data y[m];
            var w[d];
            var b;
            minimize bce_logits(X * w + b, y) + 0.01 * l2(w);
        }

        problem Pairs {
            dim n;
            var x[2*n];
            minimize sum(i in 0..n) (100 * (x[2*i + 1] - x[2*i]^2)^2 + (1 - x[2*i])^2);
        }

        problem Elementwise {
            dim n;
            data a[n];
            var x[n];
            minimize sum(i in 0..n) (a[i] * exp(0.1 * x[i]) + log1p(x[i]^2) + abs(x[i] - 0.05) + max(x[i], 0.2)
                + sin(x[i]) * cos(0.5 * x[i]) + sqrt(1 + x[i]^2) + (i + 1) * x[i]^2 + softplus(3 * x[i]) + relu(x[i] - 0.1)
                + log(2 + x[i]) + sigmoid(x[i]));
            solver lbfgs;
        }

        problem Fit {
            dim m;
            dim n;
            data A[m, n];
            data y[m];
            var x[n];
            let r[i in 0..m] = dot(A[i, :], x) - y[i];
            minimize sum(i in 0..m) r[i]^2;
            solver lm;
        }
        """;

    private static readonly Lazy<Assembly> s_assembly = new(() => GeneratedCode.Build("simd.opt", Source));

    public static TheoryData<int, int> RowSizes => new() { { 1, 1 }, { 3, 5 }, { 4, 4 }, { 5, 16 }, { 7, 17 }, { 8, 3 }, { 9, 37 }, { 13, 50 } };

    public static TheoryData<int> Sizes => new() { 1, 3, 4, 5, 7, 8, 15, 16, 17, 19, 33, 40 };

    [Fact]
    public void Each_problem_above_runs_the_kind_of_simd_loop_it_tests()
    {
        var sources = GeneratedCode.Generate("simd.opt", Source).ToDictionary(g => g.HintName.Split('/').Last().Replace(".g.cs", ""), g => g.Text);
        string Gradient(string problem) => sources[problem][sources[problem].IndexOf("public double Gradient(", StringComparison.Ordinal)..];
        Assert.Contains("4 rows per step", Gradient("Rows"));
        Assert.Contains("4 rows per step", Gradient("Fit"));
        Assert.Contains("4 pairs per vector", Gradient("Pairs"));
        Assert.Contains("VectorMath.LoadEvens", Gradient("Pairs"));
        var elementwise = Gradient("Elementwise");
        Assert.Contains("4 elements per vector", elementwise);
        // Every function of the sum in lanes: nothing left for the scalar loop alone.
        foreach (var f in new[] { "Vector256.Exp", "Vector256.Log(", "VectorMath.Log1p", "Vector256.Sin", "Vector256.Cos", "Vector256.Sqrt", "Vector256.Abs", "Vector256.Max", "VectorMath.Softplus", "VectorMath.Sigmoid", "VectorMath.Relu" })
            Assert.Contains(f, elementwise);
    }

    private static double[] Random(Random rng, int n, double scale = 1) => Enumerable.Range(0, n).Select(_ => scale * (2 * rng.NextDouble() - 1)).ToArray();

    private static double[,] RandomMatrix(Random rng, int m, int n)
    {
        var a = new double[m, n];
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) a[i, j] = 2 * rng.NextDouble() - 1;
        return a;
    }

    [Theory]
    [MemberData(nameof(RowSizes))]
    public void Row_loops_give_the_logistic_loss_and_its_derivatives(int m, int d)
    {
        var rng = new Random(m * 100 + d);
        var X = RandomMatrix(rng, m, d);
        var y = Enumerable.Range(0, m).Select(i => (double)(i % 2)).ToArray();
        var p = s_assembly.Value.Problem("Rows", X, y);
        var x = Random(rng, d + 1);

        double loss = 0;
        for (int i = 0; i < m; i++)
        {
            double z = x[d];
            for (int j = 0; j < d; j++) z += X[i, j] * x[j];
            loss += Math.Max(z, 0) + Math.Log(1 + Math.Exp(-Math.Abs(z))) - y[i] * z;
        }
        double expected = loss / m + 0.01 * x.Take(d).Sum(v => v * v);
        AssertValue(p, x, expected, $"Rows {m}×{d}");
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Pair_loops_give_extended_rosenbrock_and_its_derivatives(int n)
    {
        var rng = new Random(n);
        var p = s_assembly.Value.Problem("Pairs", n);
        var x = Random(rng, 2 * n, 1.5);
        double expected = 0;
        for (int i = 0; i < n; i++) expected += 100 * Math.Pow(x[2 * i + 1] - x[2 * i] * x[2 * i], 2) + Math.Pow(1 - x[2 * i], 2);
        AssertValue(p, x, expected, $"Pairs n = {n}");
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Element_loops_give_every_vectorized_function_and_its_derivatives(int n)
    {
        var rng = new Random(n + 7);
        var a = Random(rng, n);
        var p = s_assembly.Value.Problem("Elementwise", a);
        // Away from the kinks of abs, max and relu (0.05, 0.2, 0.1), where differences are meaningless.
        var x = Random(rng, n).Select(v => Math.Abs(v - 0.1) < 0.2 ? v + 0.4 : v).ToArray();
        double expected = 0;
        for (int i = 0; i < n; i++)
        {
            double u = x[i];
            expected += a[i] * Math.Exp(0.1 * u) + Math.Log(1 + u * u) + Math.Abs(u - 0.05) + Math.Max(u, 0.2)
                + Math.Sin(u) * Math.Cos(0.5 * u) + Math.Sqrt(1 + u * u) + (i + 1) * u * u + Math.Log(1 + Math.Exp(3 * u))
                + Math.Max(u - 0.1, 0) + Math.Log(2 + u) + 1 / (1 + Math.Exp(-u));
        }
        AssertValue(p, x, expected, $"Elementwise n = {n}");
    }

    [Theory]
    [MemberData(nameof(RowSizes))]
    public void Row_loops_with_row_stores_give_residuals_and_their_jacobian(int m, int n)
    {
        var rng = new Random(m * 31 + n);
        var A = RandomMatrix(rng, m, n);
        var y = Random(rng, m);
        var p = s_assembly.Value.Problem("Fit", A, y);
        var x = Random(rng, n);
        var ls = (ILeastSquaresProblem)p;
        var r = new double[m];
        ls.Residuals(x, r);
        var expected = Enumerable.Range(0, m).Select(i => Enumerable.Range(0, n).Sum(j => A[i, j] * x[j]) - y[i]).ToArray();
        Derivatives.AssertClose(expected, r, 1e-13, "residuals");
        var jacobian = new double[m * n];
        ls.Jacobian(x, jacobian);
        Assert.Equal(Enumerable.Range(0, m * n).Select(k => A[k / n, k % n]), jacobian);
        AssertValue(p, x, expected.Sum(v => v * v), $"Fit {m}×{n}");
    }

    /// <summary>
    /// The value against the reference (sums in another order: relative 1e-13), Gradient's value the same number as
    /// Objective's to the last bit (the partial sums of both are the same), and every derivative against differences.
    /// </summary>
    private static void AssertValue(ISecondOrderProblem p, double[] x, double expected, string what)
    {
        double f = p.Objective(x);
        Assert.True(Math.Abs(f - expected) <= 1e-13 * Math.Max(1, Math.Abs(expected)), $"{what}: Objective {f:R}, reference {expected:R}");
        var g = new double[x.Length];
        Assert.Equal(BitConverter.DoubleToInt64Bits(f), BitConverter.DoubleToInt64Bits(p.Gradient(x, g)));
        ProblemChecks.AllDerivatives(p, x, what, tolerance: 1e-6);
    }

    // ---- The runtime's four-lane functions ------------------------------------------------------------------

    public static TheoryData<string> Functions => new() { "Log1p", "Sigmoid", "Softplus", "Relu", "Sign", "Step" };

    /// <summary>
    /// Each VectorMath function against its OptMath scalar, lane by lane, over ±1e-300 … ±1e3, zeros, infinities and NaN:
    /// equal within 4 units in the last place (Vector256.Exp and Log are within one of the correctly rounded result, as
    /// Math's are; softplus and log1p carry exp's error through a log), NaN where the scalar is NaN, the same sign of zero.
    /// </summary>
    [Theory]
    [MemberData(nameof(Functions))]
    public void Vector_functions_agree_with_the_scalar_ones(string name)
    {
        var scalar = typeof(OptMath).GetMethod(name)!.CreateDelegate<Func<double, double>>();
        var vector = typeof(VectorMath).GetMethod(name)!.CreateDelegate<Func<Vector256<double>, Vector256<double>>>();
        var rng = new Random(3);
        var inputs = new[] { 0.0, -0.0, double.PositiveInfinity, double.NegativeInfinity, double.NaN, double.Epsilon, 1e-300, -1e-300, 1e-17, -1e-17, 36.0, -36.0, 40, -40, 710, -710, 745, -745 }
            .Concat(Enumerable.Range(0, 4000).Select(k => (rng.NextDouble() < 0.5 ? -1 : 1) * Math.Pow(10, -12 + 15 * rng.NextDouble())))
            .ToArray();
        for (int k = 0; k + 4 <= inputs.Length; k += 4)
        {
            var lanes = vector(Vector256.Create(inputs[k], inputs[k + 1], inputs[k + 2], inputs[k + 3]));
            for (int l = 0; l < 4; l++)
            {
                double u = inputs[k + l], want = scalar(u), got = lanes[l];
                string at = $"{name}({u:R}): scalar {want:R}, lane {got:R}";
                if (double.IsNaN(want)) { Assert.True(double.IsNaN(got), at); continue; }
                if (want == 0) { Assert.True(BitConverter.DoubleToInt64Bits(want) == BitConverter.DoubleToInt64Bits(got), at); continue; }
                if (double.IsInfinity(want)) { Assert.True(want == got, at); continue; }
                Assert.True(Ulps(want, got) <= 4, at);
            }
        }
    }

    private static long Ulps(double a, double b) => Math.Abs(BitConverter.DoubleToInt64Bits(a) - BitConverter.DoubleToInt64Bits(b));

    [Fact]
    public void Pair_loads_and_stores_split_and_rejoin_interleaved_pairs()
    {
        if (!System.Runtime.Intrinsics.X86.Avx.IsSupported) return; // the generated code never calls them without AVX
        var data = Enumerable.Range(0, 10).Select(k => (double)k).ToArray();
        var evens = VectorMath.LoadEvens(ref data[1], 0);
        var odds = VectorMath.LoadOdds(ref data[1], 0);
        // Pairs (1, 2), (3, 4), (5, 6), (7, 8) in lane order 0, 2, 1, 3.
        Assert.Equal(new[] { 1.0, 5, 3, 7 }, Enumerable.Range(0, 4).Select(l => evens[l]));
        Assert.Equal(new[] { 2.0, 6, 4, 8 }, Enumerable.Range(0, 4).Select(l => odds[l]));

        var target = new double[10];
        VectorMath.StorePairs(ref target[1], 0, evens, odds);
        Assert.Equal(new[] { 0.0, 1, 2, 3, 4, 5, 6, 7, 8, 0 }, target);
        VectorMath.AddPairs(ref target[1], 0, evens, odds);
        Assert.Equal(new[] { 0.0, 2, 4, 6, 8, 10, 12, 14, 16, 0 }, target);
    }

    [Theory]
    [InlineData(10, 0, 9, true)]
    [InlineData(10, 0, 10, false)]
    [InlineData(10, -1, 3, false)]
    [InlineData(10, 5, 4, false)]
    [InlineData(0, 0, 0, false)]
    [InlineData(int.MaxValue, int.MaxValue - 1, int.MaxValue - 1, true)]
    public void Range_check_of_a_simd_loop(int length, int first, int last, bool inRange) =>
        Assert.Equal(inRange, GeneratedSupport.InRange(length, first, last));
}

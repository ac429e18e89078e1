using System;
using System.Linq;
using OptDsl.Runtime.Internal;
using OptDsl.Runtime.QuasiNewton;
using Xunit;

namespace OptDsl.Tests.Runtime;

/// <summary>
/// The fused quasi-Newton kernels against plain loops at every length around the SIMD width (vector body, scalar tail,
/// both): the element-wise results bit for bit (same operations, same rounding), the dot products to rounding.
/// </summary>
public sealed class FusedVecTests
{
    public static TheoryData<int> Lengths => new(Enumerable.Range(0, 41).Concat([255, 1000, 1023, 1029]).ToArray());

    private static double[] Random(Random random, int n) => Enumerable.Range(0, n).Select(_ => 2 * random.NextDouble() - 1).ToArray();

    private static void AssertDot(double expected, double actual, double[] a, double[] b)
    {
        double magnitude = 0;
        for (int i = 0; i < a.Length; i++) magnitude += Math.Abs(a[i] * b[i]);
        Assert.True(Math.Abs(expected - actual) <= 1e-15 * a.Length * magnitude + 1e-300, $"dot {actual:R}, expected {expected:R}");
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Dot_sums_in_its_documented_order_whatever_the_vector_width(int n)
    {
        // The order Vec.Dot documents, written out in scalars: the same bits on a machine with AVX-512, AVX2 or neither
        // (TensorPrimitives.Dot's order follows the widest vectors, and a solve on Lanczos3 ended differently on two machines).
        var random = new Random(n + 7);
        var u = Random(random, n);
        var v = Random(random, n);
        var lanes = new double[8];
        int i = 0;
        for (; i <= n - 8; i += 8)
            for (int k = 0; k < 8; k++) lanes[k] += u[i + k] * v[i + k];
        double expected = ((lanes[0] + lanes[4]) + (lanes[1] + lanes[5])) + ((lanes[2] + lanes[6]) + (lanes[3] + lanes[7]));
        for (; i < n; i++) expected += u[i] * v[i];
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(Vec.Dot(u, v)));
        Assert.Equal(BitConverter.DoubleToInt64Bits(Math.Sqrt(Vec.Dot(u, u))), BitConverter.DoubleToInt64Bits(Vec.Norm(u)));
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void UpdateThenDot_matches_the_separate_loops(int n)
    {
        var random = new Random(n + 1);
        var b = Random(random, n);
        var u = Random(random, n);
        var w = Random(random, n);
        foreach (var (a, scale) in new[] { (0.0, 1.0), (-0.7, 1.0), (1.3, 0.25), (0.0, 3.0), (0.4, -1.0) })
        {
            var expected = new double[n];
            double dot = 0;
            for (int i = 0; i < n; i++)
            {
                double x = b[i];
                if (!(a == 0 && scale == 1)) x = (x + a * u[i]) * scale;
                expected[i] = x;
                dot += x * w[i];
            }
            var r = new double[n];
            double actual = FusedVec.UpdateThenDot(b, a, u, scale, r, w);
            Assert.Equal(expected, r);
            AssertDot(dot, actual, expected, w);

            // In place, and without a dot product.
            var inPlace = (double[])b.Clone();
            Assert.Equal(0.0, FusedVec.UpdateThenDot(inPlace, a, u, scale, inPlace, default));
            Assert.Equal(expected, inPlace);
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void TwoDots_matches_two_loops(int n)
    {
        var random = new Random(n + 7);
        var s = Random(random, n);
        var y = Random(random, n);
        double sy = 0, yy = 0;
        for (int i = 0; i < n; i++) { sy += s[i] * y[i]; yy += y[i] * y[i]; }
        var (fsy, fyy) = FusedVec.TwoDots(s, y);
        AssertDot(sy, fsy, s, y);
        AssertDot(yy, fyy, y, y);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void AddTwoScaled_is_two_axpys_bit_for_bit(int n)
    {
        var random = new Random(n + 11);
        var r = Random(random, n);
        var u = Random(random, n);
        var v = Random(random, n);
        var expected = (double[])r.Clone();
        for (int i = 0; i < n; i++) expected[i] += -0.3 * u[i];
        for (int i = 0; i < n; i++) expected[i] += 1.7 * v[i];
        FusedVec.AddTwoScaled(r, -0.3, u, 1.7, v);
        Assert.Equal(expected, r);
    }

    [Fact]
    public void Kernels_refuse_vectors_of_different_lengths()
    {
        Assert.Throws<ArgumentException>(() => FusedVec.UpdateThenDot(new double[3], 1, new double[2], 1, new double[3], default));
        Assert.Throws<ArgumentException>(() => FusedVec.TwoDots(new double[3], new double[4]));
        Assert.Throws<ArgumentException>(() => FusedVec.AddTwoScaled(new double[3], 1, new double[3], 1, new double[2]));
    }

    [Theory]
    [InlineData(37)]
    [InlineData(1000)]
    public void The_negated_two_loop_recursion_is_minus_the_recursion(int n)
    {
        var random = new Random(n);
        var memory = new LbfgsMemory(n, 4);
        for (int k = 0; k < 6; k++)
        {
            var s = Random(random, n);
            var y = s.Select(v => (0.5 + random.NextDouble()) * v).ToArray();
            Assert.True(memory.TryPush(s, y));
        }
        var v = Random(random, n);
        var plus = new double[n];
        var minus = new double[n];
        memory.ApplyInverse(v, plus);
        memory.ApplyInverse(v, minus, negate: true);
        Assert.Equal(plus.Select(x => -x).ToArray(), minus);
    }

    /// <summary>FirstOrderLoop's one pass after a step: ‖x‖∞ and ‖x − previous‖∞ exactly (a maximum has no rounding),
    /// NaN or ∞ anywhere in x (vector body or tail) showing in the norm.</summary>
    [Theory]
    [MemberData(nameof(Lengths))]
    public void InfNormAndDistance_is_the_two_maxima_and_sees_every_bad_entry(int n)
    {
        var random = new Random(n + 7);
        var x = Random(random, n);
        var previous = Random(random, n);
        double norm = Vec.InfNormAndDistance(x, previous, out double distance);
        Assert.Equal(x.Select(Math.Abs).DefaultIfEmpty(0).Max(), norm);
        Assert.Equal(x.Zip(previous, (a, b) => Math.Abs(a - b)).DefaultIfEmpty(0).Max(), distance);
        foreach (double bad in new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity })
        {
            for (int at = 0; at < n; at += Math.Max(1, n / 5))
            {
                var y = (double[])x.Clone();
                y[at] = bad;
                Assert.False(double.IsFinite(Vec.InfNormAndDistance(y, previous, out _)), $"{bad} at {at} of {n}");
            }
        }
    }
}

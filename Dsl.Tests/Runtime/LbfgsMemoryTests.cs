using System;
using System.Collections.Generic;
using OptDsl.Runtime.QuasiNewton;
using Xunit;

namespace OptDsl.Tests.Runtime;

/// <summary>
/// The ring-buffer L-BFGS history against a straightforward reference: a list of the accepted pairs, oldest first,
/// the oldest removed when there are more than m, and the two-loop recursion written with plain loops.
/// </summary>
public class LbfgsMemoryTests
{
    private const int N = 7;

    /// <summary>The reference: the textbook two-loop recursion over a list of pairs (Nocedal &amp; Wright, Algorithm 7.4).</summary>
    private static double[] TwoLoop(List<(double[] S, double[] Y)> pairs, double[] v)
    {
        var q = (double[])v.Clone();
        var alpha = new double[pairs.Count];
        for (int i = pairs.Count - 1; i >= 0; i--)
        {
            var (s, y) = pairs[i];
            alpha[i] = Dot(s, q) / Dot(s, y);
            for (int k = 0; k < N; k++) q[k] -= alpha[i] * y[k];
        }
        if (pairs.Count > 0)
        {
            var (s, y) = pairs[^1];
            double gamma = Dot(s, y) / Dot(y, y);
            for (int k = 0; k < N; k++) q[k] *= gamma;
        }
        for (int i = 0; i < pairs.Count; i++)
        {
            var (s, y) = pairs[i];
            double beta = Dot(y, q) / Dot(s, y);
            for (int k = 0; k < N; k++) q[k] += (alpha[i] - beta) * s[k];
        }
        return q;
    }

    private static double Dot(double[] a, double[] b)
    {
        double sum = 0;
        for (int k = 0; k < a.Length; k++) sum += a[k] * b[k];
        return sum;
    }

    private static void AssertClose(double expected, double actual, string what) =>
        Assert.True(Math.Abs(actual - expected) <= 1e-12 * Math.Max(1, Math.Abs(expected)), $"{what}: expected {expected:R}, got {actual:R}");

    /// <summary>A random pair with positive curvature (y = D·s with D diagonal and positive, plus a small perturbation).</summary>
    private static (double[] S, double[] Y) Pair(Random random)
    {
        var s = new double[N];
        var y = new double[N];
        for (int k = 0; k < N; k++)
        {
            s[k] = 2 * random.NextDouble() - 1;
            y[k] = (0.5 + 3 * random.NextDouble()) * s[k] + 0.01 * (random.NextDouble() - 0.5);
        }
        return (s, y);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(3, false)]
    [InlineData(3, true)]
    [InlineData(5, true)]
    public void Ring_buffer_two_loop_recursion_matches_the_reference_over_several_wraps(int memory, bool compactTables)
    {
        var random = new Random(20240611 + memory);
        var history = new LbfgsMemory(N, memory, compactTables);
        var reference = new List<(double[] S, double[] Y)>();
        int pushes = 4 * (memory + 1) + 3; // the m + 1 slots wrap around at least four times
        for (int step = 0; step < pushes; step++)
        {
            var (s, y) = Pair(random);
            bool rejected = step % 5 == 4;
            if (rejected)
            {
                for (int k = 0; k < N; k++) y[k] = -y[k]; // negative curvature: the pair must be skipped
            }
            s.CopyTo(history.NextS);
            y.CopyTo(history.NextY);
            Assert.Equal(!rejected, history.TryPush());
            if (!rejected)
            {
                reference.Add((s, y));
                if (reference.Count > memory) reference.RemoveAt(0);
            }

            Assert.Equal(reference.Count, history.Count);
            for (int i = 0; i < reference.Count; i++)
            {
                Assert.Equal(reference[i].S, history.S(i).ToArray());
                Assert.Equal(reference[i].Y, history.Y(i).ToArray());
                if (compactTables)
                {
                    for (int j = 0; j < reference.Count; j++)
                    {
                        AssertClose(Dot(reference[i].S, reference[j].Y), history.SY(i, j), $"step {step}: s{i}ᵀy{j}");
                        AssertClose(Dot(reference[i].S, reference[j].S), history.SS(i, j), $"step {step}: s{i}ᵀs{j}");
                    }
                }
            }
            var (sNew, yNew) = reference[^1];
            AssertClose(Dot(yNew, yNew) / Dot(sNew, yNew), history.Theta, $"step {step}: θ");

            var v = new double[N];
            for (int k = 0; k < N; k++) v[k] = 2 * random.NextDouble() - 1;
            var expected = TwoLoop(reference, v);
            var actual = new double[N];
            history.ApplyInverse(v, actual);
            for (int k = 0; k < N; k++) AssertClose(expected[k], actual[k], $"step {step}: (H·v)[{k}]");
        }
    }

    [Fact]
    public void Clear_empties_the_memory_and_the_direction_is_the_vector_itself()
    {
        var random = new Random(3);
        var history = new LbfgsMemory(N, 2);
        for (int step = 0; step < 5; step++)
        {
            var (s, y) = Pair(random);
            Assert.True(history.TryPush(s, y));
        }
        history.Clear();
        Assert.Equal(0, history.Count);
        Assert.Equal(1.0, history.Theta);
        var v = new double[N];
        for (int k = 0; k < N; k++) v[k] = k - 3.5;
        var result = new double[N];
        history.ApplyInverse(v, result);
        Assert.Equal(v, result);

        var (s1, y1) = Pair(random);
        Assert.True(history.TryPush(s1, y1));
        Assert.Equal(s1, history.S(0).ToArray());
        Assert.Equal(y1, history.Y(0).ToArray());
    }

    [Fact]
    public void Compact_tables_are_refused_when_they_are_not_kept()
    {
        var history = new LbfgsMemory(N, 2);
        var (s, y) = Pair(new Random(5));
        Assert.True(history.TryPush(s, y));
        Assert.False(history.HasCompactTables);
        var error = Assert.Throws<InvalidOperationException>(() => history.SY(0, 0));
        Assert.Contains("compact tables", error.Message);
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using OptDsl.Runtime;
using OptDsl.Runtime.Internal;
using Xunit;

namespace OptDsl.Tests.Runtime;

/// <summary>
/// Every first-order rule, now one fused SIMD pass with the projection into the box, against the rules as they were
/// (<see cref="ReferenceUpdateRule"/>: a sequence of TensorPrimitives calls, then <see cref="Math.Clamp(double, double, double)"/>),
/// bit for bit: x and every state vector after every step, for every option combination, at every length around the
/// SIMD width (vector body only, scalar tail only, both), with and without a box, with a different gradient and learning
/// rate (0 included) at every step. Also: IEEE special values (±0, subnormals, ±∞, NaN), the solvers' fused iteration,
/// and no allocation per step.
/// </summary>
public sealed class FusedUpdateRuleTests
{
    private static readonly int[] s_lengths = [.. Enumerable.Range(0, 18), 31, 32, 33, 63, 64, 65, 1000, 1023, 1024, 1025];

    private static readonly double[] s_learningRates = [0.01, 0.05, 0.2, 0.0, 0.1, 0.03, 0.3, 0.07, 0.001, 1.0, 0.5, 0.02];

    /// <summary>A fused rule, the old rule with the same options, and the fused rule's state in the reference's order.</summary>
    private sealed record Case(Func<int, UpdateRule> Rule, Func<int, ReferenceUpdateRule> Reference, Func<UpdateRule, double[][]> State);

    private static readonly Dictionary<string, Case> s_cases = BuildCases();

    private static Dictionary<string, Case> BuildCases()
    {
        var cases = new Dictionary<string, Case>
        {
            ["gd"] = new(n => new GradientDescentRule(n), n => new ReferenceGradientDescentRule(n), _ => []),
        };
        foreach (double mu in new[] { 0.0, 0.9 })
            foreach (double tau in new[] { 0.0, 0.3 })
                foreach (double wd in new[] { 0.0, 0.05 })
                    foreach (bool nesterov in new[] { false, true })
                    {
                        if (nesterov && (mu == 0 || tau != 0)) continue;
                        cases[FormattableString.Invariant($"momentum mu={mu} tau={tau} wd={wd} nesterov={nesterov}")] = new(
                            n => new MomentumRule(n, mu, tau, wd, nesterov),
                            n => new ReferenceMomentumRule(n, mu, tau, wd, nesterov),
                            r => [((MomentumRule)r).MomentumBuffer.ToArray()]);
                    }
        foreach (double eta in new[] { 0.0, 0.1 })
            foreach (double wd in new[] { 0.0, 0.05 })
                foreach (double initial in new[] { 0.0, 0.5 })
                    foreach (double eps in new[] { 1e-10, 1e-3 })
                        cases[FormattableString.Invariant($"adagrad lrDecay={eta} wd={wd} initial={initial} eps={eps}")] = new(
                            n => new AdagradRule(n, eta, wd, initial, eps),
                            n => new ReferenceAdagradRule(n, eta, wd, initial, eps),
                            r => [((AdagradRule)r).SquaredGradientSum.ToArray()]);
        foreach (double alpha in new[] { 0.99, 0.0 })
            foreach (double wd in new[] { 0.0, 0.05 })
                foreach (double mu in new[] { 0.0, 0.5 })
                    foreach (bool centered in new[] { false, true })
                        cases[FormattableString.Invariant($"rmsprop alpha={alpha} wd={wd} momentum={mu} centered={centered}")] = new(
                            n => new RmspropRule(n, alpha, 1e-8, wd, mu, centered),
                            n => new ReferenceRmspropRule(n, alpha, 1e-8, wd, mu, centered),
                            r =>
                            {
                                var rule = (RmspropRule)r;
                                return [rule.SquareAverage.ToArray(), rule.GradientAverage.ToArray(), rule.MomentumBuffer.ToArray()];
                            });
        foreach (bool decoupled in new[] { false, true })
            foreach (double beta1 in new[] { 0.9, 0.0 })
                foreach (double beta2 in new[] { 0.999, 0.5 })
                    foreach (double wd in decoupled ? new[] { 0.0, 0.01 } : new[] { 0.0, 0.05 })
                        foreach (bool amsgrad in new[] { false, true })
                            cases[FormattableString.Invariant($"{(decoupled ? "adamw" : "adam")} beta1={beta1} beta2={beta2} wd={wd} amsgrad={amsgrad}")] = new(
                                n => decoupled ? new AdamWRule(n, beta1, beta2, 1e-8, wd, amsgrad) : new AdamRule(n, beta1, beta2, 1e-8, wd, amsgrad),
                                n => new ReferenceAdamRule(n, beta1, beta2, 1e-8, wd, amsgrad, decoupled),
                                r =>
                                {
                                    var rule = (AdaptiveMomentRule)r;
                                    return [rule.FirstMoment.ToArray(), rule.SecondMoment.ToArray(), rule.MaxSecondMoment.ToArray()];
                                });
        return cases;
    }

    public static TheoryData<string> Cases() => new(s_cases.Keys);

    /// <summary>±10^k·u with u in [0.5, 1.5) and k in [−3, 2]; sometimes exactly 0 or −0.</summary>
    private static double Value(Random random) => random.Next(20) switch
    {
        0 => 0.0,
        1 => -0.0,
        _ => (random.Next(2) == 0 ? -1 : 1) * (0.5 + random.NextDouble()) * Math.Pow(10, random.Next(-3, 3)),
    };

    /// <summary>A box of every kind of entry: free, one side, both sides, a fixed variable, [−0, +0].</summary>
    private static (double[] Lower, double[] Upper) RandomBox(Random random, int n)
    {
        var lower = new double[n];
        var upper = new double[n];
        for (int i = 0; i < n; i++)
        {
            double a = 4 * random.NextDouble() - 2, width = random.NextDouble();
            (lower[i], upper[i]) = random.Next(6) switch
            {
                0 => (double.NegativeInfinity, double.PositiveInfinity),
                1 => (a, double.PositiveInfinity),
                2 => (double.NegativeInfinity, a),
                3 => (a, a),
                4 => (-0.0, 0.0),
                _ => (a, a + width),
            };
        }
        if (n > 0) (lower[0], upper[0]) = (-1.0, 1.0); // at least one finite entry: the box is not the whole space
        return (lower, upper);
    }

    private static bool SameBits(double a, double b) => BitConverter.DoubleToInt64Bits(a) == BitConverter.DoubleToInt64Bits(b);

    private static void AssertSameBits(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (!SameBits(expected[i], actual[i]))
                Assert.Fail($"{what}[{i}]: expected {expected[i]:R} (0x{BitConverter.DoubleToInt64Bits(expected[i]):X16}), got {actual[i]:R} (0x{BitConverter.DoubleToInt64Bits(actual[i]):X16})");
    }

    private static void Run(Case c, int n, double[] start, double[][] gradients, double[]? lower, double[]? upper, string label)
    {
        var rule = c.Rule(n);
        var reference = c.Reference(n);
        var box = Box.From(lower is null ? null : new Bounds(lower, upper!), n);
        Assert.Equal(lower is not null && n > 0, box.IsBounded);
        var x = (double[])start.Clone();
        var expected = (double[])start.Clone();
        for (int t = 1; t <= gradients.Length; t++)
        {
            double lr = s_learningRates[(t - 1) % s_learningRates.Length];
            rule.StepInBox(x, gradients[t - 1], lr, box);
            reference.Step(expected, gradients[t - 1], lr, box.IsBounded ? lower : null, box.IsBounded ? upper : null);
            AssertSameBits(expected, x, $"{label}, step {t}, x");
            var state = c.State(rule);
            var expectedState = reference.State;
            Assert.Equal(expectedState.Length, state.Length);
            for (int k = 0; k < state.Length; k++) AssertSameBits(expectedState[k], state[k], $"{label}, step {t}, state {k}");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_fused_step_is_bit_for_bit_the_old_sequence_of_TensorPrimitives_calls(string name)
    {
        var c = s_cases[name];
        foreach (int n in s_lengths)
        {
            foreach (bool bounded in new[] { false, true })
            {
                var random = new Random(HashCode.Combine(n, bounded, 17));
                var start = Enumerable.Range(0, n).Select(_ => 4 * random.NextDouble() - 2).ToArray();
                var gradients = Enumerable.Range(0, 2 * s_learningRates.Length).Select(_ => Enumerable.Range(0, n).Select(_ => Value(random)).ToArray()).ToArray();
                var (lower, upper) = bounded ? RandomBox(random, n) : (null, null);
                Run(c, n, start, gradients, lower, upper, $"{name}, n = {n}, {(bounded ? "box" : "no box")}");
            }
        }
    }

    /// <summary>
    /// Values where IEEE rules decide the result: ±0 (the sign of a zero step, −0 kept inside [−0, +0]), subnormals,
    /// overflow to ±∞, 0/0, ∞ − ∞ and NaN inputs (a NaN stays NaN through the projection): still bit for bit, NaN payloads
    /// included.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void Special_values_give_the_same_bits(string name)
    {
        double[] specials = [0.0, -0.0, double.Epsilon, -double.Epsilon, 2.2e-308, 1e-160, -1e-160, 1e154, -1e154, 1e300, -1e300,
            double.MaxValue, double.PositiveInfinity, double.NegativeInfinity, double.NaN, 1.0, -1.0, 0.5];
        var c = s_cases[name];
        foreach (int n in new[] { 1, 7, 8, 9, 37 })
        {
            var random = new Random(n);
            double Pick() => specials[random.Next(specials.Length)];
            var start = Enumerable.Range(0, n).Select(_ => Pick()).ToArray();
            var gradients = Enumerable.Range(0, 6).Select(_ => Enumerable.Range(0, n).Select(_ => Pick()).ToArray()).ToArray();
            var lower = Enumerable.Range(0, n).Select(i => i % 3 == 0 ? -0.0 : i % 3 == 1 ? double.NegativeInfinity : -1e-160).ToArray();
            var upper = Enumerable.Range(0, n).Select(i => i % 3 == 0 ? 0.0 : i % 3 == 1 ? 1e300 : double.PositiveInfinity).ToArray();
            Run(c, n, start, gradients, null, null, $"{name}, n = {n}, no box");
            Run(c, n, start, gradients, lower, upper, $"{name}, n = {n}, box");
        }
    }

    /// <summary>f(x) = ½Σ cᵢ(xᵢ − 1)², whose minimizer lies outside the box below.</summary>
    private sealed class Bowl(int n) : IGradientProblem
    {
        public int Dimension => n;
        public double Objective(ReadOnlySpan<double> x)
        {
            double f = 0;
            for (int i = 0; i < n; i++) f += 0.5 * (1 + i % 5) * (x[i] - 1) * (x[i] - 1);
            return f;
        }
        public double Gradient(ReadOnlySpan<double> x, Span<double> g)
        {
            for (int i = 0; i < n; i++) g[i] = (1 + i % 5) * (x[i] - 1);
            return Objective(x);
        }
    }

    public static TheoryData<string> Solvers() => new(["gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"]);

    /// <summary>The solvers' iteration (the fused step with the box) takes the old rule's steps followed by the old projection.</summary>
    [Theory]
    [MemberData(nameof(Solvers))]
    public void A_bounded_solve_takes_the_old_steps_and_projections(string name)
    {
        const int n = 37, k = 25;
        const double lr = 0.05;
        var (solver, reference) = name switch
        {
            "gd" => ((Solver<IGradientProblem>)new GradientDescentSolver { LearningRate = lr }, (ReferenceUpdateRule)new ReferenceGradientDescentRule(n)),
            "momentum" => (new MomentumSolver { LearningRate = lr, Momentum = 0.8, Dampening = 0.1, WeightDecay = 0.05 }, new ReferenceMomentumRule(n, 0.8, 0.1, 0.05)),
            "nesterov" => (new MomentumSolver { LearningRate = lr, Momentum = 0.8, Nesterov = true }, new ReferenceMomentumRule(n, 0.8, nesterov: true)),
            "adagrad" => (new AdagradSolver { LearningRate = lr, LrDecay = 0.1, WeightDecay = 0.05, InitialAccumulatorValue = 0.5 }, new ReferenceAdagradRule(n, 0.1, 0.05, 0.5)),
            "rmsprop" => (new RmspropSolver { LearningRate = lr, Alpha = 0.9, WeightDecay = 0.05, MomentumFactor = 0.5, Centered = true }, new ReferenceRmspropRule(n, 0.9, 1e-8, 0.05, 0.5, true)),
            "adam" => (new AdamSolver { LearningRate = lr, WeightDecay = 0.05, Amsgrad = true }, new ReferenceAdamRule(n, 0.9, 0.999, 1e-8, 0.05, true, false)),
            "adamw" => (new AdamWSolver { LearningRate = lr, Amsgrad = true }, new ReferenceAdamRule(n, 0.9, 0.999, 1e-8, 0.01, true, true)),
            _ => throw new ArgumentException(name, nameof(name)),
        };
        var lower = Enumerable.Range(0, n).Select(i => i % 4 == 0 ? double.NegativeInfinity : -0.5).ToArray();
        var upper = Enumerable.Range(0, n).Select(i => i % 3 == 0 ? 0.6 : double.PositiveInfinity).ToArray();
        var start = Enumerable.Range(0, n).Select(i => 0.5 * Math.Sin(i)).ToArray();
        var problem = new Bowl(n);
        var result = solver.Minimize(problem, start, new SolveOptions { MaxIterations = k, GradientTolerance = 0, StepTolerance = 0, FunctionTolerance = 0 }, new Bounds(lower, upper));
        Assert.Equal(SolveStatus.MaxIterations, result.Status);

        var x = (double[])start.Clone();
        var g = new double[n];
        for (int t = 0; t < k; t++)
        {
            problem.Gradient(x, g);
            reference.Step(x, g, lr, lower, upper);
        }
        AssertSameBits(x, result.X, $"{name}: x after {k} iterations");
    }

    public static TheoryData<string, bool> AllocationCases()
    {
        var data = new TheoryData<string, bool>();
        foreach (string name in new[] { "gd", "momentum mu=0.9 tau=0.3 wd=0.05 nesterov=False", "momentum mu=0.9 tau=0 wd=0 nesterov=True",
            "adagrad lrDecay=0.1 wd=0.05 initial=0.5 eps=1E-10", "rmsprop alpha=0.99 wd=0.05 momentum=0.5 centered=True",
            "adam beta1=0.9 beta2=0.999 wd=0.05 amsgrad=True", "adamw beta1=0.9 beta2=0.999 wd=0.01 amsgrad=False" })
        {
            data.Add(name, false);
            data.Add(name, true);
        }
        return data;
    }

    /// <summary>0 B per step, with the public step and with the solvers' step in a box (the calling thread's count, after a warm-up).</summary>
    [Theory]
    [MemberData(nameof(AllocationCases))]
    public void A_step_allocates_nothing(string name, bool bounded)
    {
        Assert.True(s_cases.ContainsKey(name), name);
        const int n = 1001;
        var rule = s_cases[name].Rule(n);
        var x = Enumerable.Range(0, n).Select(i => Math.Cos(i)).ToArray();
        var g = Enumerable.Range(0, n).Select(i => Math.Sin(i)).ToArray();
        var box = Box.From(bounded ? new Bounds(Enumerable.Repeat(-0.5, n).ToArray(), Enumerable.Repeat(0.5, n).ToArray()) : null, n);
        for (int t = 0; t < 3; t++) // warm-up: the first step (momentum's t = 1 kernel) and the later ones
        {
            rule.Step(x, g, 0.01);
            rule.StepInBox(x, g, 0.01, box);
        }
        // The least of three windows of 50 steps: an allocation per step shows in every window, while the runtime's
        // one-off work on the calling thread during tier-up (seen once, 8 KB, in a loaded full run) shows in one at most.
        long least = long.MaxValue;
        for (int window = 0; window < 3 && least > 0; window++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int t = 0; t < 50; t++)
            {
                rule.Step(x, g, 0.01);
                rule.StepInBox(x, g, 0.01, box);
            }
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.Equal(0, least);
    }

    [Theory]
    [MemberData(nameof(Solvers))]
    public void A_gradient_that_overlaps_x_is_refused(string name)
    {
        UpdateRule rule = name switch
        {
            "gd" => new GradientDescentRule(4),
            "momentum" => new MomentumRule(4),
            "nesterov" => new MomentumRule(4, nesterov: true),
            "adagrad" => new AdagradRule(4),
            "rmsprop" => new RmspropRule(4),
            "adam" => new AdamRule(4),
            "adamw" => new AdamWRule(4),
            _ => throw new ArgumentException(name, nameof(name)),
        };
        var buffer = new double[] { 1, 2, 3, 4, 5 };
        var message = Assert.Throws<ArgumentException>("gradient", () => rule.Step(buffer.AsSpan(0, 4), buffer.AsSpan(1, 4), 0.1)).Message;
        Assert.Contains(rule.GetType().Name, message);
        Assert.Throws<ArgumentException>("gradient", () => rule.Step(buffer.AsSpan(0, 4), buffer.AsSpan(0, 4), 0.1));
        Assert.Equal(0, rule.StepCount);
        Assert.Equal([1.0, 2, 3, 4, 5], buffer);
    }
}

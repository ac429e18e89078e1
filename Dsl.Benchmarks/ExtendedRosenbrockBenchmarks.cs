using System;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Filters;
using OptDsl.Benchmarks.HandWritten;
using OptDsl.Benchmarks.Problems;

namespace OptDsl.Benchmarks;

/// <summary>
/// Extended Rosenbrock (Problems/extended_rosenbrock.opt) with N pairs, i.e. 2N variables: the generated
/// objective and gradient against a hand-written f-and-∇f loop (the baseline), and central finite differences
/// at the smallest N only (2·2N objective evaluations per gradient, O(N²)).
/// Targets: Gradient / HandWrittenGradient ≤ 1.2, Gradient / Objective ≤ 3.
/// </summary>
[Config(typeof(FiniteDifferencesAtSmallestN))]
public class ExtendedRosenbrockBenchmarks
{
    private const int SmallestN = 100;

    private ExtendedRosenbrock _problem = null!;
    private double[] _x = [];
    private double[] _gradient = [];
    private double[] _work = [];

    /// <summary>The number of pairs: the problem has 2N variables.</summary>
    [Params(SmallestN, 1_000, 10_000, 100_000, 1_000_000)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _problem = new ExtendedRosenbrock(N);
        _x = BenchmarkPoint(N);
        _gradient = new double[2 * N];
        _work = (double[])_x.Clone();

        // Correctness first: generated f and ∇f must match the hand-written ones to 1e-12 (relative).
        var expected = new double[2 * N];
        double f = ExtendedRosenbrockByHand.ValueAndGradient(_x, expected);
        Verify.Close(_problem.Objective(_x), f, $"Objective (N = {N})");
        Verify.Close(_problem.Gradient(_x, _gradient), f, $"value returned by Gradient (N = {N})");
        Verify.Close(_gradient, expected, $"Gradient (N = {N})");
        if (N == SmallestN)
        {
            FiniteDifferenceGradient();
            Verify.Close(_gradient, expected, $"finite-difference gradient (N = {N})", tolerance: 1e-6);
        }

        string parameters = $"[N={N}]";
        AllocationCheck.Run(typeof(ExtendedRosenbrockBenchmarks), nameof(Objective), parameters, () => Objective());
        AllocationCheck.Run(typeof(ExtendedRosenbrockBenchmarks), nameof(Gradient), parameters, () => Gradient());
        AllocationCheck.Run(typeof(ExtendedRosenbrockBenchmarks), nameof(HandWrittenGradient), parameters, () => HandWrittenGradient());
        if (N == SmallestN) AllocationCheck.Run(typeof(ExtendedRosenbrockBenchmarks), nameof(FiniteDifferenceGradient), parameters, () => FiniteDifferenceGradient());
    }

    /// <summary>The classic start (−1.2, 1) per pair, perturbed by a seeded ±0.1, so no two pairs are alike.</summary>
    public static double[] BenchmarkPoint(int n)
    {
        var random = new Random(20240611);
        var x = new double[2 * n];
        for (int i = 0; i < n; i++)
        {
            x[2 * i] = -1.2 + 0.2 * (random.NextDouble() - 0.5);
            x[2 * i + 1] = 1.0 + 0.2 * (random.NextDouble() - 0.5);
        }
        return x;
    }

    [Benchmark]
    public double Objective() => _problem.Objective(_x);

    [Benchmark]
    public double Gradient() => _problem.Gradient(_x, _gradient);

    [Benchmark(Baseline = true)]
    public double HandWrittenGradient() => ExtendedRosenbrockByHand.ValueAndGradient(_x, _gradient);

    /// <summary>Central differences of the generated objective, step ∛ε·max(1, |xₖ|); run at N = 100 only.</summary>
    [Benchmark]
    public double FiniteDifferenceGradient()
    {
        double[] x = _work;
        for (int k = 0; k < x.Length; k++)
        {
            double xk = x[k];
            double h = 6.0554544523933395e-6 * Math.Max(1.0, Math.Abs(xk)); // cbrt(2^-52)
            x[k] = xk + h;
            double plus = _problem.Objective(x);
            x[k] = xk - h;
            double minus = _problem.Objective(x);
            x[k] = xk;
            _gradient[k] = (plus - minus) / (2.0 * h);
        }
        return _gradient[0];
    }

    /// <summary>Runs <see cref="FiniteDifferenceGradient"/> only at the smallest N: it costs O(N²).</summary>
    private sealed class FiniteDifferencesAtSmallestN : ManualConfig
    {
        public FiniteDifferencesAtSmallestN() =>
            AddFilter(new SimpleFilter(benchmark =>
                benchmark.Descriptor.WorkloadMethod.Name != nameof(FiniteDifferenceGradient)
                || benchmark.Parameters[nameof(N)] is SmallestN));
    }
}

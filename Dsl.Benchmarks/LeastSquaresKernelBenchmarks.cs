using System;
using BenchmarkDotNet.Attributes;
using OptDsl.Benchmarks.HandWritten;
using OptDsl.Benchmarks.Problems;

namespace OptDsl.Benchmarks;

/// <summary>
/// Issue 10: the generated gradient of the least-squares fit y ≈ b0·exp(−b1·t) + b2 over M = 10⁵ points
/// (Problems/exponential_decay.opt, the data and point of <see cref="LeastSquaresBenchmarks"/>) against the best
/// hand-written SIMD gradient (<see cref="ExponentialDecaySimd"/>, the baseline: vectorized exp) and the plain scalar
/// loop (<see cref="ExponentialDecayByHand"/>, for context). Target: Gradient / HandWrittenSimdGradient ≤ 1.10, with the
/// default runtime and with DOTNET_TieredPGO=0 (docs/benchmarks.md).
/// </summary>
public class LeastSquaresKernelBenchmarks
{
    private ExponentialDecay _problem = null!;
    private double[] _t = [];
    private double[] _y = [];
    private readonly double[] _b = [2.0, 0.5, 0.1];
    private readonly double[] _gradient = new double[3];

    /// <summary>The number of data points (residuals).</summary>
    [Params(100_000)]
    public int M { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (_t, _y) = LeastSquaresBenchmarks.Data(M);
        _problem = new ExponentialDecay(_t, _y);

        // The scalar loop is the reference; the SIMD kernel's Vector256.Exp is within about an ulp of Math.Exp and its
        // sums run in four lanes: 1e-12 (relative, norm-wise) holds with a wide margin.
        var expected = new double[3];
        double f = ExponentialDecayByHand.ValueAndGradient(_b, expected, _t, _y);
        Verify.Close(_problem.Gradient(_b, _gradient), f, "value returned by Gradient");
        Verify.Close(_gradient, expected, "Gradient");
        Verify.Close(ExponentialDecaySimd.ValueAndGradient(_b, _gradient, _t, _y), f, "value returned by the SIMD gradient");
        Verify.Close(_gradient, expected, "SIMD gradient");

        string parameters = $"[M={M}]";
        var type = typeof(LeastSquaresKernelBenchmarks);
        AllocationCheck.Run(type, nameof(Gradient), parameters, () => Gradient());
        AllocationCheck.Run(type, nameof(HandWrittenSimdGradient), parameters, () => HandWrittenSimdGradient());
        AllocationCheck.Run(type, nameof(HandWrittenScalarGradient), parameters, () => HandWrittenScalarGradient());
    }

    [Benchmark]
    public double Gradient() => _problem.Gradient(_b, _gradient);

    [Benchmark(Baseline = true)]
    public double HandWrittenSimdGradient() => ExponentialDecaySimd.ValueAndGradient(_b, _gradient, _t, _y);

    [Benchmark]
    public double HandWrittenScalarGradient() => ExponentialDecayByHand.ValueAndGradient(_b, _gradient, _t, _y);
}

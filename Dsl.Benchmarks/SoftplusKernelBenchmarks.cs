using System;
using BenchmarkDotNet.Attributes;
using OptDsl.Benchmarks.HandWritten;
using OptDsl.Benchmarks.Problems;

namespace OptDsl.Benchmarks;

/// <summary>
/// Issue 10: the generated gradient of f(x) = Σᵢ softplus(A[i,:]·x) (Problems/Kernels/softplus_rows.opt) with A of
/// N × N against the best hand-written SIMD gradient (<see cref="SoftplusRowsByHand.ValueAndGradientSimd"/>, the
/// baseline) and the plain scalar loops (<see cref="SoftplusRowsByHand.ValueAndGradient"/>). Target:
/// Gradient / HandWrittenSimdGradient ≤ 1.10, with the default runtime and with DOTNET_TieredPGO=0 (docs/benchmarks.md).
/// </summary>
public class SoftplusKernelBenchmarks
{
    private SoftplusRows _problem = null!;
    private double[] _A = [];
    private double[] _x = [];
    private double[] _gradient = [];

    /// <summary>The order of the square matrix A.</summary>
    [Params(2000)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        // A uniform in [−1, 1], x uniform in [−3, 3]/√N: the zᵢ = A[i,:]·x have standard deviation about 1, so both
        // branches of softplus and sigmoid occur.
        var random = new Random(20250111);
        var A = new double[N, N];
        _A = new double[N * N];
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++)
                _A[i * N + j] = A[i, j] = 2.0 * random.NextDouble() - 1.0;
        _x = new double[N];
        for (int j = 0; j < N; j++) _x[j] = 3.0 / Math.Sqrt(N) * (2.0 * random.NextDouble() - 1.0);
        _problem = new SoftplusRows(A);
        _gradient = new double[N];

        // The scalar loops are the reference; the SIMD kernel sums each dot product in TensorPrimitives' lanes and
        // uses fused multiply-adds, and adds the rows into ∇f in the same order: 1e-12 holds with a wide margin.
        var expected = new double[N];
        double f = SoftplusRowsByHand.ValueAndGradient(_x, expected, _A);
        Verify.Close(_problem.Objective(_x), f, "Objective");
        Verify.Close(_problem.Gradient(_x, _gradient), f, "value returned by Gradient");
        Verify.Close(_gradient, expected, "Gradient");
        Verify.Close(SoftplusRowsByHand.ValueAndGradientSimd(_x, _gradient, _A), f, "value returned by the SIMD gradient");
        Verify.Close(_gradient, expected, "SIMD gradient");

        string parameters = $"[N={N}]";
        var type = typeof(SoftplusKernelBenchmarks);
        AllocationCheck.Run(type, nameof(Gradient), parameters, () => Gradient());
        AllocationCheck.Run(type, nameof(HandWrittenSimdGradient), parameters, () => HandWrittenSimdGradient());
        AllocationCheck.Run(type, nameof(HandWrittenScalarGradient), parameters, () => HandWrittenScalarGradient());
    }

    [Benchmark]
    public double Gradient() => _problem.Gradient(_x, _gradient);

    [Benchmark(Baseline = true)]
    public double HandWrittenSimdGradient() => SoftplusRowsByHand.ValueAndGradientSimd(_x, _gradient, _A);

    [Benchmark]
    public double HandWrittenScalarGradient() => SoftplusRowsByHand.ValueAndGradient(_x, _gradient, _A);
}

using System;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using OptDsl.Benchmarks.HandWritten;
using OptDsl.Benchmarks.Problems;

namespace OptDsl.Benchmarks;

/// <summary>
/// Issue 10: the generated gradient and Hessian-vector product of extended Rosenbrock (Problems/extended_rosenbrock.opt,
/// N pairs, 2N variables) against the best hand-written SIMD kernels (<see cref="ExtendedRosenbrockSimd"/>, the
/// baselines) and the plain scalar loops (<see cref="ExtendedRosenbrockByHand"/>, for context).
/// Targets: Gradient / HandWrittenSimdGradient ≤ 1.10, HessianVectorProduct / HandWrittenSimdHessianVectorProduct ≤ 1.25,
/// with the default runtime and with DOTNET_TieredPGO=0 (docs/benchmarks.md).
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class ExtendedRosenbrockKernelBenchmarks
{
    private ExtendedRosenbrock _problem = null!;
    private double[] _x = [];
    private double[] _v = [];
    private double[] _gradient = [];
    private double[] _hv = [];

    /// <summary>The number of pairs: the problem has 2N variables.</summary>
    [Params(10_000, 1_000_000)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _problem = new ExtendedRosenbrock(N);
        _x = ExtendedRosenbrockBenchmarks.BenchmarkPoint(N);
        var random = new Random(7);
        _v = new double[2 * N];
        for (int k = 0; k < _v.Length; k++) _v[k] = 2.0 * random.NextDouble() - 1.0;
        _gradient = new double[2 * N];
        _hv = new double[2 * N];

        // Correctness first: generated and SIMD agree with the scalar reference to 1e-12 (relative). The SIMD kernels
        // use fused multiply-adds and sum f in eight lanes, so they differ from the scalar loop in the last bits only.
        var expected = new double[2 * N];
        double f = ExtendedRosenbrockByHand.ValueAndGradient(_x, expected);
        Verify.Close(_problem.Gradient(_x, _gradient), f, $"value returned by Gradient (N = {N})");
        Verify.Close(_gradient, expected, $"Gradient (N = {N})");
        Verify.Close(ExtendedRosenbrockSimd.ValueAndGradient(_x, _gradient), f, $"value returned by the SIMD gradient (N = {N})");
        Verify.Close(_gradient, expected, $"SIMD gradient (N = {N})");

        var expectedHv = new double[2 * N];
        ExtendedRosenbrockByHand.HessianVectorProduct(_x, _v, expectedHv);
        _problem.HessianVectorProduct(_x, _v, _hv);
        Verify.Close(_hv, expectedHv, $"HessianVectorProduct (N = {N})");
        ExtendedRosenbrockSimd.HessianVectorProduct(_x, _v, _hv);
        Verify.Close(_hv, expectedHv, $"SIMD HessianVectorProduct (N = {N})");

        string parameters = $"[N={N}]";
        var type = typeof(ExtendedRosenbrockKernelBenchmarks);
        AllocationCheck.Run(type, nameof(Gradient), parameters, () => Gradient());
        AllocationCheck.Run(type, nameof(HandWrittenSimdGradient), parameters, () => HandWrittenSimdGradient());
        AllocationCheck.Run(type, nameof(HandWrittenScalarGradient), parameters, () => HandWrittenScalarGradient());
        AllocationCheck.Run(type, nameof(HessianVectorProduct), parameters, () => HessianVectorProduct());
        AllocationCheck.Run(type, nameof(HandWrittenSimdHessianVectorProduct), parameters, () => HandWrittenSimdHessianVectorProduct());
        AllocationCheck.Run(type, nameof(HandWrittenScalarHessianVectorProduct), parameters, () => HandWrittenScalarHessianVectorProduct());
    }

    [Benchmark, BenchmarkCategory(KernelCategories.Gradient)]
    public double Gradient() => _problem.Gradient(_x, _gradient);

    [Benchmark(Baseline = true), BenchmarkCategory(KernelCategories.Gradient)]
    public double HandWrittenSimdGradient() => ExtendedRosenbrockSimd.ValueAndGradient(_x, _gradient);

    [Benchmark, BenchmarkCategory(KernelCategories.Gradient)]
    public double HandWrittenScalarGradient() => ExtendedRosenbrockByHand.ValueAndGradient(_x, _gradient);

    [Benchmark, BenchmarkCategory(KernelCategories.HessianVectorProduct)]
    public double HessianVectorProduct()
    {
        _problem.HessianVectorProduct(_x, _v, _hv);
        return _hv[0];
    }

    [Benchmark(Baseline = true), BenchmarkCategory(KernelCategories.HessianVectorProduct)]
    public double HandWrittenSimdHessianVectorProduct()
    {
        ExtendedRosenbrockSimd.HessianVectorProduct(_x, _v, _hv);
        return _hv[0];
    }

    [Benchmark, BenchmarkCategory(KernelCategories.HessianVectorProduct)]
    public double HandWrittenScalarHessianVectorProduct()
    {
        ExtendedRosenbrockByHand.HessianVectorProduct(_x, _v, _hv);
        return _hv[0];
    }
}

/// <summary>The categories of the issue-10 kernel benchmarks: each has its own baseline (the hand-written SIMD kernel).</summary>
public static class KernelCategories
{
    public const string Gradient = "Gradient";
    public const string HessianVectorProduct = "HVP";
}

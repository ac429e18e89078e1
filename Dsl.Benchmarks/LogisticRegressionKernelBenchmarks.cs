using System;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using OptDsl.Benchmarks.HandWritten;
using OptDsl.Benchmarks.Problems;

namespace OptDsl.Benchmarks;

/// <summary>
/// Issue 10: the generated gradient and Hessian-vector product of L2-regularized logistic regression
/// (Problems/Kernels/logistic_regression.opt, <c>bce_logits(X * w + b, y) + lambda * l2(w)</c>) with X of M × 50
/// against the best hand-written SIMD kernels (<see cref="LogisticRegressionSimd"/>: four rows at a time, the
/// baselines), a per-row TensorPrimitives.Dot version and the plain scalar loops (<see cref="LogisticRegressionByHand"/>).
/// Targets: Gradient / HandWrittenSimdGradient ≤ 1.10, HessianVectorProduct / HandWrittenSimdHessianVectorProduct ≤ 1.25,
/// with the default runtime and with DOTNET_TieredPGO=0 (docs/benchmarks.md).
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class LogisticRegressionKernelBenchmarks
{
    /// <summary>The number of features (columns of X).</summary>
    public const int D = 50;

    private LogisticRegression _problem = null!;
    private double[] _X = [];
    private double[] _y = [];
    private double[] _x = [];
    private double[] _v = [];
    private double[] _gradient = [];
    private double[] _hv = [];

    /// <summary>The number of samples (rows of X).</summary>
    [Params(100_000)]
    public int M { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        // X standard normal; labels drawn from a logistic model with weights w* ~ N(0, 4/d) (so z* = Xw* + b* has
        // standard deviation about 2) and b* = 0.3; the benchmark point w = w*/2 + noise, b = 0 is off the optimum.
        var random = new Random(20250110);
        var X = new double[M, D];
        _X = new double[M * D];
        for (int i = 0; i < M; i++)
            for (int j = 0; j < D; j++)
                _X[i * D + j] = X[i, j] = Gaussian(random);
        var wStar = new double[D];
        for (int j = 0; j < D; j++) wStar[j] = 2.0 / Math.Sqrt(D) * Gaussian(random);
        _y = new double[M];
        for (int i = 0; i < M; i++)
        {
            double z = 0.3;
            for (int j = 0; j < D; j++) z += _X[i * D + j] * wStar[j];
            _y[i] = random.NextDouble() < 1.0 / (1.0 + Math.Exp(-z)) ? 1.0 : 0.0;
        }
        _x = new double[D + 1];
        for (int j = 0; j < D; j++) _x[j] = 0.5 * wStar[j] + 0.1 / Math.Sqrt(D) * Gaussian(random);
        _v = new double[D + 1];
        for (int k = 0; k <= D; k++) _v[k] = 2.0 * random.NextDouble() - 1.0;
        _problem = new LogisticRegression(X, _y);
        _gradient = new double[D + 1];
        _hv = new double[D + 1];
        double lambda = _problem.Lambda;

        // The scalar loops are the reference. The SIMD kernels add the rows into ∇w in the same order, but form the dot
        // products with fused multiply-adds in four lanes and sum the loss in four lanes: they agree to ~1e-15.
        var expected = new double[D + 1];
        double f = LogisticRegressionByHand.ValueAndGradient(_x, expected, _X, _y, lambda);
        Verify.Close(_problem.Objective(_x), f, "Objective");
        Verify.Close(_problem.Gradient(_x, _gradient), f, "value returned by Gradient");
        Verify.Close(_gradient, expected, "Gradient");
        Verify.Close(LogisticRegressionSimd.ValueAndGradient(_x, _gradient, _X, _y, lambda), f, "value returned by the SIMD gradient");
        Verify.Close(_gradient, expected, "SIMD gradient");
        Verify.Close(LogisticRegressionSimd.ValueAndGradientPerRow(_x, _gradient, _X, _y, lambda), f, "value returned by the per-row gradient");
        Verify.Close(_gradient, expected, "per-row TensorPrimitives gradient");

        var expectedHv = new double[D + 1];
        LogisticRegressionByHand.HessianVectorProduct(_x, _v, expectedHv, _X, lambda);
        _problem.HessianVectorProduct(_x, _v, _hv);
        Verify.Close(_hv, expectedHv, "HessianVectorProduct");
        LogisticRegressionSimd.HessianVectorProduct(_x, _v, _hv, _X, lambda);
        Verify.Close(_hv, expectedHv, "SIMD HessianVectorProduct");

        string parameters = $"[M={M}]";
        var type = typeof(LogisticRegressionKernelBenchmarks);
        AllocationCheck.Run(type, nameof(Gradient), parameters, () => Gradient());
        AllocationCheck.Run(type, nameof(HandWrittenSimdGradient), parameters, () => HandWrittenSimdGradient());
        AllocationCheck.Run(type, nameof(HandWrittenPerRowGradient), parameters, () => HandWrittenPerRowGradient());
        AllocationCheck.Run(type, nameof(HandWrittenScalarGradient), parameters, () => HandWrittenScalarGradient());
        AllocationCheck.Run(type, nameof(HessianVectorProduct), parameters, () => HessianVectorProduct());
        AllocationCheck.Run(type, nameof(HandWrittenSimdHessianVectorProduct), parameters, () => HandWrittenSimdHessianVectorProduct());
        AllocationCheck.Run(type, nameof(HandWrittenScalarHessianVectorProduct), parameters, () => HandWrittenScalarHessianVectorProduct());
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2.0 * Math.PI * random.NextDouble());

    [Benchmark, BenchmarkCategory(KernelCategories.Gradient)]
    public double Gradient() => _problem.Gradient(_x, _gradient);

    [Benchmark(Baseline = true), BenchmarkCategory(KernelCategories.Gradient)]
    public double HandWrittenSimdGradient() => LogisticRegressionSimd.ValueAndGradient(_x, _gradient, _X, _y, _problem.Lambda);

    /// <summary>One row at a time: TensorPrimitives.Dot, scalar softplus and sigmoid, a fused SIMD scatter.</summary>
    [Benchmark, BenchmarkCategory(KernelCategories.Gradient)]
    public double HandWrittenPerRowGradient() => LogisticRegressionSimd.ValueAndGradientPerRow(_x, _gradient, _X, _y, _problem.Lambda);

    [Benchmark, BenchmarkCategory(KernelCategories.Gradient)]
    public double HandWrittenScalarGradient() => LogisticRegressionByHand.ValueAndGradient(_x, _gradient, _X, _y, _problem.Lambda);

    [Benchmark, BenchmarkCategory(KernelCategories.HessianVectorProduct)]
    public double HessianVectorProduct()
    {
        _problem.HessianVectorProduct(_x, _v, _hv);
        return _hv[0];
    }

    [Benchmark(Baseline = true), BenchmarkCategory(KernelCategories.HessianVectorProduct)]
    public double HandWrittenSimdHessianVectorProduct()
    {
        LogisticRegressionSimd.HessianVectorProduct(_x, _v, _hv, _X, _problem.Lambda);
        return _hv[0];
    }

    [Benchmark, BenchmarkCategory(KernelCategories.HessianVectorProduct)]
    public double HandWrittenScalarHessianVectorProduct()
    {
        LogisticRegressionByHand.HessianVectorProduct(_x, _v, _hv, _X, _problem.Lambda);
        return _hv[0];
    }
}

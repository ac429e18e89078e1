using BenchmarkDotNet.Attributes;
using OptDsl.Benchmarks.HandWritten;
using OptDsl.Benchmarks.Problems;

namespace OptDsl.Benchmarks;

/// <summary>
/// The cost of a generated Hessian-vector product relative to the generated gradient (the baseline), for
/// extended Rosenbrock at one size (N = 10^4 pairs, 2·10^4 variables); a hand-written product for reference.
/// Informative: no target.
/// </summary>
public class HessianVectorProductBenchmarks
{
    private ExtendedRosenbrock _problem = null!;
    private double[] _x = [];
    private double[] _v = [];
    private double[] _gradient = [];
    private double[] _hv = [];

    /// <summary>The number of pairs: the problem has 2N variables.</summary>
    [Params(10_000)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _problem = new ExtendedRosenbrock(N);
        _x = ExtendedRosenbrockBenchmarks.BenchmarkPoint(N);
        var random = new System.Random(7);
        _v = new double[2 * N];
        for (int k = 0; k < _v.Length; k++) _v[k] = 2.0 * random.NextDouble() - 1.0;
        _gradient = new double[2 * N];
        _hv = new double[2 * N];

        var expectedGradient = new double[2 * N];
        ExtendedRosenbrockByHand.ValueAndGradient(_x, expectedGradient);
        _problem.Gradient(_x, _gradient);
        Verify.Close(_gradient, expectedGradient, $"Gradient (N = {N})");
        var expected = new double[2 * N];
        ExtendedRosenbrockByHand.HessianVectorProduct(_x, _v, expected);
        _problem.HessianVectorProduct(_x, _v, _hv);
        Verify.Close(_hv, expected, $"HessianVectorProduct (N = {N})");

        string parameters = $"[N={N}]";
        AllocationCheck.Run(typeof(HessianVectorProductBenchmarks), nameof(Objective), parameters, () => Objective());
        AllocationCheck.Run(typeof(HessianVectorProductBenchmarks), nameof(Gradient), parameters, () => Gradient());
        AllocationCheck.Run(typeof(HessianVectorProductBenchmarks), nameof(HessianVectorProduct), parameters, () => HessianVectorProduct());
        AllocationCheck.Run(typeof(HessianVectorProductBenchmarks), nameof(HandWrittenHessianVectorProduct), parameters, () => HandWrittenHessianVectorProduct());
    }

    [Benchmark]
    public double Objective() => _problem.Objective(_x);

    [Benchmark(Baseline = true)]
    public double Gradient() => _problem.Gradient(_x, _gradient);

    [Benchmark]
    public double HessianVectorProduct()
    {
        _problem.HessianVectorProduct(_x, _v, _hv);
        return _hv[0];
    }

    [Benchmark]
    public double HandWrittenHessianVectorProduct()
    {
        ExtendedRosenbrockByHand.HessianVectorProduct(_x, _v, _hv);
        return _hv[0];
    }
}

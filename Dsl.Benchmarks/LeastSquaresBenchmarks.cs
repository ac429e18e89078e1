using System;
using BenchmarkDotNet.Attributes;
using OptDsl.Benchmarks.HandWritten;
using OptDsl.Benchmarks.Problems;

namespace OptDsl.Benchmarks;

/// <summary>
/// Least-squares fit of y ≈ b0·exp(−b1·t) + b2 (Problems/exponential_decay.opt) over M = 10^5 synthetic, seeded
/// data points: the generated objective, gradient, residuals and residual Jacobian against a hand-written
/// f-and-∇f loop (the baseline). Targets: Gradient / HandWrittenGradient ≤ 1.2, Gradient / Objective ≤ 3.
/// </summary>
public class LeastSquaresBenchmarks
{
    private ExponentialDecay _problem = null!;
    private double[] _t = [];
    private double[] _y = [];
    private readonly double[] _b = [2.0, 0.5, 0.1];
    private readonly double[] _gradient = new double[3];
    private double[] _residuals = [];
    private double[] _jacobian = [];

    /// <summary>The number of data points (residuals).</summary>
    [Params(100_000)]
    public int M { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (_t, _y) = Data(M);
        _problem = new ExponentialDecay(_t, _y);
        _residuals = new double[M];
        _jacobian = new double[3 * M];

        var expected = new double[3];
        double f = ExponentialDecayByHand.ValueAndGradient(_b, expected, _t, _y);
        Verify.Close(_problem.Objective(_b), f, "Objective");
        Verify.Close(_problem.Gradient(_b, _gradient), f, "value returned by Gradient");
        Verify.Close(_gradient, expected, "Gradient");

        var expectedResiduals = new double[M];
        ExponentialDecayByHand.Residuals(_b, expectedResiduals, _t, _y);
        _problem.Residuals(_b, _residuals);
        Verify.Close(_residuals, expectedResiduals, "Residuals");
        var expectedJacobian = new double[3 * M];
        ExponentialDecayByHand.Jacobian(_b, expectedJacobian, _t);
        _problem.ResidualJacobian(_b, _jacobian);
        Verify.Close(_jacobian, expectedJacobian, "ResidualJacobian");

        string parameters = $"[M={M}]";
        AllocationCheck.Run(typeof(LeastSquaresBenchmarks), nameof(Objective), parameters, () => Objective());
        AllocationCheck.Run(typeof(LeastSquaresBenchmarks), nameof(Gradient), parameters, () => Gradient());
        AllocationCheck.Run(typeof(LeastSquaresBenchmarks), nameof(Residuals), parameters, () => Residuals());
        AllocationCheck.Run(typeof(LeastSquaresBenchmarks), nameof(ResidualJacobian), parameters, () => ResidualJacobian());
        AllocationCheck.Run(typeof(LeastSquaresBenchmarks), nameof(HandWrittenGradient), parameters, () => HandWrittenGradient());
    }

    /// <summary>
    /// The m data points: t evenly spaced on [0, 10), y from b = (2.5, 0.7, 0.3) with Gaussian noise σ = 0.01 (seeded);
    /// the benchmark point b = (2, 0.5, 0.1) is off the fit.
    /// </summary>
    public static (double[] T, double[] Y) Data(int m)
    {
        var random = new Random(12345);
        var t = new double[m];
        var y = new double[m];
        for (int i = 0; i < m; i++)
        {
            t[i] = 10.0 * i / m;
            double noise = Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2.0 * Math.PI * random.NextDouble());
            y[i] = 2.5 * Math.Exp(-0.7 * t[i]) + 0.3 + 0.01 * noise;
        }
        return (t, y);
    }

    [Benchmark]
    public double Objective() => _problem.Objective(_b);

    [Benchmark]
    public double Gradient() => _problem.Gradient(_b, _gradient);

    [Benchmark]
    public double Residuals()
    {
        _problem.Residuals(_b, _residuals);
        return _residuals[0];
    }

    [Benchmark]
    public double ResidualJacobian()
    {
        _problem.ResidualJacobian(_b, _jacobian);
        return _jacobian[0];
    }

    [Benchmark(Baseline = true)]
    public double HandWrittenGradient() => ExponentialDecayByHand.ValueAndGradient(_b, _gradient, _t, _y);
}

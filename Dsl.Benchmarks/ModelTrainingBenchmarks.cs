using System;
using System.IO;
using System.Linq;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.ML;
using Microsoft.ML.Data;
using OptDsl.Benchmarks.Models;
using OptDsl.Runtime;
using OptDsl.Runtime.Training;

namespace OptDsl.Benchmarks;

/// <summary>
/// Issue 11: training L2-regularized logistic regression on scikit-learn's breast cancer data (455 training rows of 30
/// standardized features; split 80/20 with seed 42, as the tests do).
/// <list type="bullet">
/// <item>Full batch: the model's <c>lbfgs</c> Fit against ML.NET 5's <c>LbfgsLogisticRegression</c> on the same data
/// with the same penalty. ML.NET minimizes (Σᵢ logloss + ½·L2·‖w‖²)/n, so L2 = 2·n·λ gives the model's mean loss + λ‖w‖².
/// Target: OptDsl ≤ 0.5 × ML.NET's time, at a loss at least as low (<see cref="Check"/> prints both losses).</item>
/// <item>Adam epochs (batch 32, 20 epochs per call): the generated model's Fit against a hand-written fused C# loop doing
/// the same shuffles, batch gradients and updates (<see cref="HandWrittenAdamEpoch"/>). Target ≤ 1.2×.</item>
/// </list>
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class ModelTrainingBenchmarks
{
    private double[,] _x = new double[0, 0];
    private double[] _y = [];
    private int _n, _d;
    private CancerLbfgs _lbfgs = null!, _lbfgsSameLoss = null!, _lbfgsTwoThreads = null!;
    private CancerAdam _adam = null!;
    private MLContext _ml = null!;
    private IDataView _view = null!;
    private float _l2;

    // Hand-written loop state.
    private double[] _w = [], _g = [], _m = [], _v = [];
    private int[] _order = [];

    private sealed class Row
    {
        [VectorType(30)] public float[] Features { get; set; } = [];
        public bool Label { get; set; }
    }

    [GlobalSetup]
    public void Setup()
    {
        var all = LabeledData.ReadCsv(Path.Combine(AppContext.BaseDirectory, "TestData", "sklearn", "breast_cancer.csv"), skipRows: 1, classCount: 2);
        var (training, _) = all.Split(0.2, seed: 42);
        training = Standardizer.Fit(training.Features).Transform(training);
        (_x, _y, _n, _d) = (training.Features, training.Labels, training.Count, training.FeatureCount);
        _lbfgs = new CancerLbfgs(_d);
        _lbfgsSameLoss = new CancerLbfgs(_d);
        _lbfgsTwoThreads = new CancerLbfgs(_d) { Parallelism = 2 };
        _lbfgsSameLoss.SolveOptions = _lbfgsSameLoss.SolveOptions with { GradientTolerance = SameLossTolerance };
        _adam = new CancerAdam(_d);
        _ml = new MLContext(seed: 0);
        _view = _ml.Data.LoadFromEnumerable(Enumerable.Range(0, _n).Select(i => new Row
        {
            Features = Enumerable.Range(0, _d).Select(j => (float)_x[i, j]).ToArray(),
            Label = _y[i] == 1,
        }).ToList());
        _l2 = (float)(2 * _n * _lbfgs.Lambda);
        _w = new double[_d + 1];
        _g = new double[_d + 1];
        _m = new double[_d + 1];
        _v = new double[_d + 1];
        _order = new int[_n];
    }

    [Benchmark(Baseline = true), BenchmarkCategory("Full batch")]
    public float MlNetLbfgs()
    {
        var trainer = _ml.BinaryClassification.Trainers.LbfgsLogisticRegression(new Microsoft.ML.Trainers.LbfgsLogisticRegressionBinaryTrainer.Options
        {
            L2Regularization = _l2,
            L1Regularization = 0,
            OptimizationTolerance = 1e-7f,
            HistorySize = 20,
        });
        var model = trainer.Fit(_view);
        return model.Model.SubModel.Bias;
    }

    [Benchmark, BenchmarkCategory("Full batch")]
    public double OptDslLbfgs()
    {
        _lbfgs.Initialize(0);
        return _lbfgs.Fit(_x, _y).Epochs[^1].TrainingLoss;
    }

    /// <summary>
    /// Time to ML.NET's loss: the same Fit stopped at <see cref="SameLossTolerance"/>, the loosest tolerance of
    /// <see cref="Check"/>'s ladder whose loss is at or below ML.NET's (Check fails if it is not). Still a verified
    /// <c>Converged</c>, plateau check included.
    /// </summary>
    [Benchmark, BenchmarkCategory("Full batch")]
    public double OptDslLbfgsToMlNetLoss()
    {
        _lbfgsSameLoss.Initialize(0);
        return _lbfgsSameLoss.Fit(_x, _y).Epochs[^1].TrainingLoss;
    }

    /// <summary>The same Fit as <see cref="OptDslLbfgs"/> on two threads (<c>parallel: 2</c>; ML.NET's trainer picks its own thread count).</summary>
    [Benchmark, BenchmarkCategory("Full batch")]
    public double OptDslLbfgsTwoThreads()
    {
        _lbfgsTwoThreads.Initialize(0);
        return _lbfgsTwoThreads.Fit(_x, _y).Epochs[^1].TrainingLoss;
    }

    /// <summary>The gradient tolerance at which the model's L-BFGS reaches ML.NET's final loss (see <see cref="Check"/>).</summary>
    public const double SameLossTolerance = 1e-5;

    [Benchmark(Baseline = true), BenchmarkCategory("Adam epoch")]
    public double HandWrittenAdamEpoch()
    {
        Array.Clear(_w);
        Array.Clear(_m);
        Array.Clear(_v);
        return HandWrittenEpochs(_x, _y, _w, _g, _m, _v, _order, Epochs, seed: 7, lr: 0.01, lambda: 1e-3);
    }

    [Benchmark, BenchmarkCategory("Adam epoch")]
    public double OptDslAdamEpoch()
    {
        _adam.Initialize(0);
        return _adam.Fit(_x, _y).Epochs[^1].TrainingLoss;
    }

    /// <summary>Epochs per Adam benchmark: the per-Fit work (argument checks, the update rule's state) is spread over them.</summary>
    public const int Epochs = 20;

    /// <summary>
    /// Epochs as a C# programmer would fuse them by hand: the same shuffle (Fisher–Yates with Random(seed)), batches of
    /// 32, per row z = w·x + b (TensorPrimitives.Dot) and the gradient added in one SIMD pass (MultiplyAdd), the penalty,
    /// then Adam with torch.optim's formula in one pass. Returns the epoch's mean loss.
    /// </summary>
    internal static double HandWrittenEpochs(double[,] x, double[] y, double[] w, double[] g, double[] m, double[] v, int[] order, int epochs, int seed, double lr, double lambda)
    {
        int n = y.Length, d = w.Length - 1;
        for (int i = 0; i < n; i++) order[i] = i;
        var random = new Random(seed);
        double last = 0;
        int t = 0;
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            for (int k = n - 1; k > 0; k--)
            {
                int j = random.Next(k + 1);
                (order[k], order[j]) = (order[j], order[k]);
            }
            last = Epoch(x, y, w, g, m, v, order, ref t, lr, lambda);
        }
        return last;
    }

    private static double Epoch(double[,] x, double[] y, double[] w, double[] g, double[] m, double[] v, int[] order, ref int t, double lr, double lambda)
    {
        int n = y.Length, d = w.Length - 1;
        const double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
        var weights = w.AsSpan(0, d);
        var gw = g.AsSpan(0, d);
        double total = 0;
        for (int start = 0; start < n; start += 32)
        {
            int count = Math.Min(32, n - start);
            Array.Clear(g);
            double loss = 0;
            for (int r = start; r < start + count; r++)
            {
                int row = order[r];
                var features = System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpan(ref x[row, 0], d);
                double z = System.Numerics.Tensors.TensorPrimitives.Dot(weights, features) + w[d];
                double softplus = Math.Max(z, 0) + Math.Log(1 + Math.Exp(-Math.Abs(z)));
                loss += softplus - y[row] * z;
                double s = 1 / (1 + Math.Exp(-z)) - y[row];
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(features, s, gw, gw);
                g[d] += s;
            }
            double scale = 1.0 / count;
            double penalty = 0;
            for (int j = 0; j < d; j++)
            {
                g[j] = g[j] * scale + 2 * lambda * w[j];
                penalty += w[j] * w[j];
            }
            g[d] *= scale;
            total += (loss * scale + lambda * penalty) * count;
            t++;
            double c1 = 1 - Math.Pow(beta1, t), c2 = Math.Sqrt(1 - Math.Pow(beta2, t));
            for (int j = 0; j <= d; j++)
            {
                m[j] = beta1 * m[j] + (1 - beta1) * g[j];
                v[j] = beta2 * v[j] + (1 - beta2) * g[j] * g[j];
                w[j] -= lr / c1 * m[j] / (Math.Sqrt(v[j]) / c2 + eps);
            }
        }
        return total / n;
    }

    /// <summary>The losses each side reaches (run with --compare-models): ML.NET's weights evaluated by the model's own loss.</summary>
    public static int Check()
    {
        var b = new ModelTrainingBenchmarks();
        b.Setup();
        var trainer = b._ml.BinaryClassification.Trainers.LbfgsLogisticRegression(new Microsoft.ML.Trainers.LbfgsLogisticRegressionBinaryTrainer.Options
        {
            L2Regularization = b._l2, L1Regularization = 0, OptimizationTolerance = 1e-7f, HistorySize = 20,
        });
        var ml = trainer.Fit(b._view).Model.SubModel;
        var mlWeights = ml.Weights.Select(f => (double)f).Append(ml.Bias).ToArray();
        var probe = new CancerLbfgs(b._d);
        probe.SetParameters(mlWeights);
        double mlLoss = probe.Loss(b._x, b._y);
        b._lbfgs.Initialize(0);
        var report = b._lbfgs.Fit(b._x, b._y);
        double loss = b._lbfgs.Loss(b._x, b._y);
        var newton = new CancerLbfgs(b._d) { SolveOptions = new SolveOptions { GradientTolerance = 1e-12, MaxIterations = 1000 } };
        newton.Fit(b._x, b._y);
        double best = newton.Loss(b._x, b._y);
        double gap = mlWeights.Zip(b._lbfgs.GetParameters(), (p, q) => Math.Abs(p - q)).Max();
        Console.WriteLine($"optimum (lbfgs to 1e-12): {best:R}");
        Console.WriteLine($"OptDsl lbfgs (tolerance 1e-6): {loss:R} ({report.StopReason}, {report.Epochs.Count} iterations), above the optimum by {loss - best:E2}");
        Console.WriteLine($"ML.NET LbfgsLogisticRegression (L2 = {b._l2}, tolerance 1e-7): {mlLoss:R}, above the optimum by {mlLoss - best:E2}; largest weight difference to OptDsl {gap:E2}");
        bool sameLossReached = false;
        foreach (double tolerance in new[] { 1e-3, 3e-4, 1e-4, 3e-5, 1e-5, 3e-6, 1e-6 })
        {
            var loose = new CancerLbfgs(b._d);
            loose.SolveOptions = loose.SolveOptions with { GradientTolerance = tolerance };
            var r = loose.Fit(b._x, b._y);
            double looseLoss = loose.Loss(b._x, b._y);
            if (tolerance == SameLossTolerance) sameLossReached = looseLoss <= mlLoss && r.StopReason == StopReason.Converged;
            Console.WriteLine($"  lbfgs tolerance {tolerance:E0}: {r.Solve!.Status} ({r.Solve.Message}), {r.Epochs.Count} iterations, {r.Solve!.FunctionEvaluations} evaluations, loss above the optimum {looseLoss - best:E2}{(looseLoss <= mlLoss ? " (at or below ML.NET's)" : "")}");
            if (System.Environment.GetEnvironmentVariable("OPTDSL_EVALS") is not null)
                Console.WriteLine("    evaluations after each iteration: " + string.Join(" ", r.Solve.History.Select(h => h.FunctionEvaluations)));
        }
        var w = new double[b._d + 1];
        double hand = HandWrittenEpochs(b._x, b._y, w, new double[b._d + 1], new double[b._d + 1], new double[b._d + 1], new int[b._n], Epochs, 7, 0.01, 1e-3);
        b._adam.Initialize(0);
        double generated = b._adam.Fit(b._x, b._y).Epochs[^1].TrainingLoss;
        double weightGap = w.Zip(b._adam.GetParameters(), (p, q) => Math.Abs(p - q)).Max();
        Console.WriteLine($"Adam, {Epochs} epochs: generated loss {generated:R}, hand-written {hand:R}; largest weight difference {weightGap:E2}");
        return loss <= mlLoss && sameLossReached && weightGap < 1e-12 ? 0 : 1;
    }
}

/// <summary>
/// <c>parallel</c> for full-batch training: the digits softmax regression (1,797 standardized rows, 64 pixels, 10 classes)
/// trained by L-BFGS to tolerance 1e-6 on one thread and on two. Both runs take the same iterations; the losses differ
/// in the last bits (the sums are regrouped).
/// </summary>
public class FullBatchParallelBenchmarks
{
    private double[,] _x = new double[0, 0], _y = new double[0, 0];
    private DigitsSoftmax _one = null!, _two = null!;

    [GlobalSetup]
    public void Setup()
    {
        using var gz = new System.IO.Compression.GZipStream(File.OpenRead(Path.Combine(AppContext.BaseDirectory, "TestData", "sklearn", "digits.csv.gz")),
            System.IO.Compression.CompressionMode.Decompress);
        var all = LabeledData.ReadCsv(new StreamReader(gz), "digits.csv.gz", classCount: 10);
        var data = Standardizer.Fit(all.Features).Transform(all);
        (_x, _y) = (data.Features, data.OneHotLabels(10));
        _one = new DigitsSoftmax(64, 10);
        _two = new DigitsSoftmax(64, 10) { Parallelism = 2 };
    }

    [Benchmark(Baseline = true)]
    public double OneThread()
    {
        _one.Initialize(0);
        return _one.Fit(_x, _y).Epochs[^1].TrainingLoss;
    }

    [Benchmark]
    public double TwoThreads()
    {
        _two.Initialize(0);
        return _two.Fit(_x, _y).Epochs[^1].TrainingLoss;
    }
}

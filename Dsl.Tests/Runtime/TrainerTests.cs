using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using OptDsl.Runtime;
using OptDsl.Runtime.Training;
using Xunit;

namespace OptDsl.Tests.Runtime;

/// <summary>
/// The training loop against loops written out here: the same batches (the documented shuffle), the same steps, to the
/// bit; early stopping on a scripted validation curve; clipping as torch's clip_grad_norm_; divergence and cancellation.
/// </summary>
public sealed class TrainerTests
{
    private sealed record Data(double[,] X, double[] Y);

    /// <summary>Linear regression, loss ½(w·x + b − y)² per sample, averaged over the rows.</summary>
    private sealed class LinearRegression(int d) : ITrainableModel<Data>
    {
        public int ParameterCount => d + 1;

        public int SampleCount(Data data) => data.Y.Length;

        public double BatchLossAndGradient(ReadOnlySpan<double> w, Data data, ReadOnlySpan<int> rows, Span<double> gradient)
        {
            gradient.Clear();
            double loss = 0;
            foreach (int r in rows)
            {
                double z = w[d];
                for (int j = 0; j < d; j++) z += w[j] * data.X[r, j];
                double e = z - data.Y[r];
                loss += 0.5 * e * e;
                for (int j = 0; j < d; j++) gradient[j] += e * data.X[r, j] / rows.Length;
                gradient[d] += e / rows.Length;
            }
            return loss / rows.Length;
        }

        public double BatchLoss(ReadOnlySpan<double> w, Data data, ReadOnlySpan<int> rows) =>
            BatchLossAndGradient(w, data, rows, new double[d + 1]);
    }

    private static Data RandomData(int n, int d, int seed)
    {
        var rng = new Random(seed);
        var X = new double[n, d];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++) X[i, j] = 2 * rng.NextDouble() - 1;
            y[i] = 0.3 + Enumerable.Range(0, d).Sum(j => (j + 1) * X[i, j]) + 0.1 * (rng.NextDouble() - 0.5);
        }
        return new Data(X, y);
    }

    [Theory]
    [InlineData(0, false)]   // batch: all
    [InlineData(1, true)]    // stochastic
    [InlineData(7, true)]    // mini-batches with a short last one (50 = 7·7 + 1)
    [InlineData(7, false)]
    public void Sgd_takes_the_steps_of_the_loop_written_out(int batch, bool shuffle)
    {
        var data = RandomData(50, 3, 1);
        var model = new LinearRegression(3);
        const double lr = 0.05;
        var options = new TrainingOptions { Epochs = 6, BatchSize = batch, Shuffle = shuffle, Seed = 42 };
        var w = new double[4];
        var report = Trainer.Fit(model, w, new GradientDescentRule(4), lr, new ConstantSchedule(), options, data);

        // The loop as docs/models.md describes it: Fisher–Yates with Random(seed) before each epoch, contiguous batches.
        var expected = new double[4];
        var order = Enumerable.Range(0, 50).ToArray();
        var random = new Random(42);
        var g = new double[4];
        var losses = new List<double>();
        int size = batch == 0 ? 50 : batch;
        for (int epoch = 0; epoch < 6; epoch++)
        {
            if (shuffle)
                for (int k = order.Length - 1; k > 0; k--) { int j = random.Next(k + 1); (order[k], order[j]) = (order[j], order[k]); }
            double sum = 0;
            for (int start = 0; start < 50; start += size)
            {
                var rows = order.AsSpan(start, Math.Min(size, 50 - start));
                sum += model.BatchLossAndGradient(expected, data, rows, g) * rows.Length;
                for (int k = 0; k < 4; k++) expected[k] -= lr * g[k];
            }
            losses.Add(sum / 50);
        }
        Assert.Equal(expected, w);
        Assert.Equal(losses, report.Epochs.Select(e => e.TrainingLoss));
        Assert.Equal(StopReason.EpochsDone, report.StopReason);
        Assert.Equal(Enumerable.Range(1, 6), report.Epochs.Select(e => e.Epoch));
    }

    [Fact]
    public void Same_seed_same_run_to_the_bit_and_another_seed_another_run()
    {
        var data = RandomData(64, 4, 2);
        var validation = RandomData(20, 4, 3);
        double[] Run(int seed, out TrainingReport report)
        {
            var w = new double[5];
            report = Trainer.Fit(new LinearRegression(4), w, new AdamRule(5), 0.01, new CosineSchedule(10),
                new TrainingOptions { Epochs = 10, BatchSize = 8, Seed = seed }, data, validation);
            return w;
        }
        var a = Run(7, out var ra);
        var b = Run(7, out var rb);
        var c = Run(8, out _);
        Assert.Equal(a, b);
        Assert.Equal(ra.Epochs.Select(e => (e.TrainingLoss, e.ValidationLoss, e.LearningRate)), rb.Epochs.Select(e => (e.TrainingLoss, e.ValidationLoss, e.LearningRate)));
        Assert.NotEqual(a, c);
        Assert.True(ra.Epochs[^1].ValidationLoss < ra.Epochs[0].ValidationLoss);
    }

    /// <summary>Gradient −1 for the one parameter: with gd at rate 1 and one batch per epoch, the parameter is the epoch number.</summary>
    private sealed class Scripted(double[] validationLosses, int nanAtBatch = -1) : ITrainableModel<Data>
    {
        public int Batches;
        public int ParameterCount => 1;
        public int SampleCount(Data data) => data.Y.Length;

        public double BatchLossAndGradient(ReadOnlySpan<double> w, Data data, ReadOnlySpan<int> rows, Span<double> gradient)
        {
            gradient[0] = -1;
            return ++Batches == nanAtBatch ? double.NaN : 1.0;
        }

        public double BatchLoss(ReadOnlySpan<double> w, Data data, ReadOnlySpan<int> rows) => validationLosses[Math.Clamp((int)w[0] - 1, 0, validationLosses.Length - 1)];
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Early_stopping_stops_after_patience_epochs_and_restores_the_best(bool restore)
    {
        // Best at epoch 4 (0.5); epoch 6 improves by less than min_delta; no improvement in epochs 5, 6, 7: stop at 7.
        double[] curve = [1.0, 0.8, 0.7, 0.5, 0.6, 0.495, 0.55, 0.4, 0.3, 0.2];
        var data = RandomData(3, 1, 4);
        var w = new double[1];
        var report = Trainer.Fit(new Scripted(curve), w, new GradientDescentRule(1), 1.0, new ConstantSchedule(),
            new TrainingOptions { Epochs = 10, EarlyStopping = new EarlyStopping(3, minDelta: 0.01, restoreBest: restore) }, data, data);
        Assert.Equal(StopReason.EarlyStop, report.StopReason);
        Assert.Equal(7, report.Epochs.Count);
        Assert.Equal(4, report.BestEpoch);
        Assert.Equal(restore ? 4.0 : 7.0, w[0]);
        Assert.Equal(curve.Take(7), report.Epochs.Select(e => e.ValidationLoss));
    }

    [Fact]
    public void Clipping_is_torch_clip_grad_norm()
    {
        // One step of gd at rate 1 from 0 leaves −clip(g); torch: g·max_norm/(‖g‖ + 1e-6) when that factor is below 1.
        var data = new Data(new double[,] { { 3.0, -4.0 } }, [0.0]);
        var model = new LinearRegression(2);
        var w = new double[] { 1.0, 1.0, 0.5 };
        var g = new double[3];
        model.BatchLossAndGradient(w, data, [0], g);
        double norm = Math.Sqrt(g.Sum(v => v * v)), factor = 0.5 / (norm + 1e-6);
        var expected = w.Zip(g, (x, gi) => x - gi * factor).ToArray();
        Trainer.Fit(model, w, new GradientDescentRule(3), 1.0, new ConstantSchedule(), new TrainingOptions { ClipNorm = 0.5 }, data);
        Assert.Equal(expected, w);

        // Below the threshold nothing changes.
        var w2 = new double[] { 1.0, 1.0, 0.5 };
        Trainer.Fit(model, w2, new GradientDescentRule(3), 1.0, new ConstantSchedule(), new TrainingOptions { ClipNorm = 1e6 }, data);
        Assert.Equal(new[] { 1.0, 1.0, 0.5 }.Zip(g, (x, gi) => x - gi).ToArray(), w2);
    }

    [Fact]
    public void A_nan_loss_ends_the_run_diverged_with_the_parameters_of_before_that_batch()
    {
        var data = RandomData(3, 1, 5);
        var w = new double[1];
        var report = Trainer.Fit(new Scripted(Enumerable.Repeat(1.0, 10).ToArray(), nanAtBatch: 4), w, new GradientDescentRule(1), 1.0,
            new ConstantSchedule(), new TrainingOptions { Epochs = 10 }, data);
        Assert.Equal(StopReason.Diverged, report.StopReason);
        Assert.Equal(3, report.Epochs.Count);
        Assert.Equal(3.0, w[0]);
        Assert.Contains("NaN or infinite", report.Message);
    }

    [Fact]
    public void Cancellation_is_seen_before_the_next_batch()
    {
        var data = RandomData(3, 1, 6);
        var w = new double[1];
        using var cts = new CancellationTokenSource();
        var progress = new Synchronous(e => { if (e.Epoch == 2) cts.Cancel(); });
        var report = Trainer.Fit(new Scripted(Enumerable.Repeat(1.0, 10).ToArray()), w, new GradientDescentRule(1), 1.0,
            new ConstantSchedule(), new TrainingOptions { Epochs = 10 }, data, progress: progress, cancellationToken: cts.Token);
        Assert.Equal(StopReason.Cancelled, report.StopReason);
        Assert.Equal(2, report.Epochs.Count);
        Assert.Equal(2.0, w[0]);
    }

    [Fact]
    public void The_schedule_sets_each_epochs_rate_and_plateau_watches_the_monitored_loss()
    {
        double[] curve = [1.0, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9];
        var data = RandomData(3, 1, 7);
        var report = Trainer.Fit(new Scripted(curve), new double[1], new GradientDescentRule(1), 1.0,
            new PlateauSchedule(factor: 0.5, patience: 2), new TrainingOptions { Epochs = 8 }, data, data);
        // torch: bad epochs 3, 4, 5 after the best at 2; the third (> patience) halves the rate for epoch 6.
        Assert.Equal(new[] { 1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5 }, report.Epochs.Select(e => e.LearningRate));
    }

    [Fact]
    public void Nothing_is_allocated_per_batch_or_per_epoch_beyond_the_reports_entries()
    {
        var data = RandomData(40, 1, 9);
        long Allocated(int epochs)
        {
            var model = new Scripted(Enumerable.Repeat(1.0, 1000).ToArray());
            var rule = new AdamRule(1);
            var schedule = new CosineSchedule(10);
            var options = new TrainingOptions { Epochs = epochs, BatchSize = 4, EarlyStopping = new EarlyStopping(1000, restoreBest: true) };
            var w = new double[1];
            long before = GC.GetAllocatedBytesForCurrentThread();
            Trainer.Fit(model, w, rule, 0.001, schedule, options, data, data);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Allocated(2); // JIT and first-use allocations out of the way
        long ten = Allocated(10), forty = Allocated(40);
        // 30 more epochs of 10 batches: only the report's list, sized up front, grows (an EpochInfo is 48 bytes).
        Assert.True(forty - ten <= 30 * 48 + 64, $"10 epochs allocated {ten} B, 40 epochs {forty} B");
    }

    [Fact]
    public void Bad_arguments_are_named()
    {
        var data = RandomData(3, 1, 8);
        var model = new LinearRegression(1);
        Assert.Contains("parameters", Assert.Throws<ArgumentException>(() => Trainer.Fit(model, new double[5], new GradientDescentRule(2), 0.1, new ConstantSchedule(), new TrainingOptions(), data)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Trainer.Fit(model, new double[2], new GradientDescentRule(2), 0.1, new ConstantSchedule(), new TrainingOptions { Epochs = 0 }, data));
        Assert.Contains("NaN", Assert.Throws<ArgumentException>(() => Trainer.Fit(model, [double.NaN, 0], new GradientDescentRule(2), 0.1, new ConstantSchedule(), new TrainingOptions(), data)).Message);
    }

    private sealed class Synchronous(Action<EpochInfo> report) : IProgress<EpochInfo>
    {
        public void Report(EpochInfo value) => report(value);
    }
}

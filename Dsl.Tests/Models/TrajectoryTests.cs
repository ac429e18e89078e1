using System;
using System.Linq;
using OptDsl.Runtime.Training;
using OptDsl.Tests.Compiler;
using Xunit;

namespace OptDsl.Tests.Models;

/// <summary>
/// The parameter trajectory of a generated model, epoch by epoch, against the training loop written out by hand from
/// torch.optim's documented update formulas and torch.optim.lr_scheduler's schedules: the shuffle of docs/models.md,
/// the mean-squared-error gradient in closed form, Adam or Nesterov momentum, a step or cosine schedule with linear
/// warm-up. Agreement to 1e-12 after every epoch.
/// </summary>
public sealed class TrajectoryTests
{
    private const int Rows = 13, Features = 3, Batch = 4, Epochs = 6;

    private static (double[,] X, double[] Y) Data()
    {
        var random = new Random(11);
        var x = new double[Rows, Features];
        var y = new double[Rows];
        for (int i = 0; i < Rows; i++)
        {
            for (int j = 0; j < Features; j++) x[i, j] = random.NextDouble() * 2 - 1;
            y[i] = 0.7 * x[i, 0] - 1.3 * x[i, 1] + 0.2 * x[i, 2] + 0.5 + 0.05 * (random.NextDouble() - 0.5);
        }
        return (x, y);
    }

    private static string Source(string optimizer) =>
        $"model Linear {{ dim d; input x[d]; target y; var w[d] = 0.1; var b = 0; predict dot(w, x) + b; loss (dot(w, x) + b - y)^2; optimizer {optimizer} }}";

    /// <summary>One update of the written-out loop: the parameters p (w then b), the batch gradient g, the step t (from 1), the rate.</summary>
    private delegate void Update(double[] p, double[] g, int t, double lr);

    /// <summary>The loop written out: epochs of shuffled batches, the batch-mean gradient of (w·x + b − y)², the update.</summary>
    private static double[] Reference(Func<int, double> rate, Update update, int epochs)
    {
        var (x, y) = Data();
        var p = Enumerable.Repeat(0.1, Features).Append(0.0).ToArray();
        var order = Enumerable.Range(0, Rows).ToArray();
        var random = new Random(5);
        int t = 0;
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            for (int k = Rows - 1; k > 0; k--)
            {
                int j = random.Next(k + 1);
                (order[k], order[j]) = (order[j], order[k]);
            }
            double lr = rate(epoch);
            for (int start = 0; start < Rows; start += Batch)
            {
                var rows = order.Skip(start).Take(Batch).ToArray();
                var g = new double[Features + 1];
                foreach (int i in rows)
                {
                    double r = p[Features];
                    for (int j = 0; j < Features; j++) r += p[j] * x[i, j];
                    r -= y[i];
                    for (int j = 0; j < Features; j++) g[j] += 2 * r * x[i, j];
                    g[Features] += 2 * r;
                }
                for (int j = 0; j <= Features; j++) g[j] /= rows.Length;
                update(p, g, ++t, lr);
            }
        }
        return p;
    }

    private static void AssertTrajectory(string optimizer, Func<int, double> rate, Update update)
    {
        var assembly = GeneratedCode.Build("linear.opt", Source(optimizer));
        var (x, y) = Data();
        for (int epochs = 1; epochs <= Epochs; epochs++)
        {
            dynamic model = assembly.Create("Linear", Features);
            model.TrainingOptions = ((TrainingOptions)model.TrainingOptions) with { Epochs = epochs };
            TrainingReport report = model.Fit(x, y);
            Assert.Equal(epochs, report.Epochs.Count);
            Assert.Equal(rate(epochs - 1), report.Epochs[^1].LearningRate, 1e-15);
            double[] trained = model.GetParameters();
            double[] expected = Reference(rate, update, epochs);
            for (int k = 0; k < expected.Length; k++)
                Assert.True(Math.Abs(trained[k] - expected[k]) <= 1e-12 * Math.Max(1, Math.Abs(expected[k])), $"epoch {epochs}, p[{k}]: {trained[k]:R} vs {expected[k]:R}");
        }
    }

    [Fact]
    public void Adam_with_a_step_schedule_and_warmup_follows_the_written_out_loop()
    {
        // torch.optim.Adam (amsgrad off, no weight decay); StepLR(step_size 2, gamma 0.5) after LinearLR warm-up over 2 epochs.
        const double lr0 = 0.05, beta1 = 0.9, beta2 = 0.99, eps = 1e-8;
        double Rate(int epoch) => lr0 * Math.Pow(0.5, epoch / 2) * Math.Min(1.0, (epoch + 1) / 2.0);
        var m = new double[Features + 1];
        var v = new double[Features + 1];
        void Adam(double[] p, double[] g, int t, double lr)
        {
            if (t == 1) { Array.Clear(m); Array.Clear(v); }
            for (int j = 0; j < p.Length; j++)
            {
                m[j] = beta1 * m[j] + (1 - beta1) * g[j];
                v[j] = beta2 * v[j] + (1 - beta2) * g[j] * g[j];
                double mHat = m[j] / (1 - Math.Pow(beta1, t)), vHat = v[j] / (1 - Math.Pow(beta2, t));
                p[j] -= lr * mHat / (Math.Sqrt(vHat) + eps);
            }
        }
        AssertTrajectory("adam(lr: 0.05, beta2: 0.99) { batch: 4; epochs: 6; seed: 5; schedule: step(step_size: 2, gamma: 0.5); warmup: 2; }", Rate, Adam);
    }

    [Fact]
    public void Nesterov_momentum_with_a_cosine_schedule_follows_the_written_out_loop()
    {
        // torch.optim.SGD(momentum 0.8, nesterov, weight_decay 1e-3); CosineAnnealingLR(T_max 4, eta_min 0.001).
        const double lr0 = 0.1, mu = 0.8, decay = 1e-3, etaMin = 0.001;
        double Rate(int epoch) => etaMin + (lr0 - etaMin) * (1 + Math.Cos(Math.PI * epoch / 4)) / 2;
        var buffer = new double[Features + 1];
        void Nesterov(double[] p, double[] g, int t, double lr)
        {
            if (t == 1) Array.Clear(buffer);
            for (int j = 0; j < p.Length; j++)
            {
                double d = g[j] + decay * p[j];
                buffer[j] = t == 1 ? d : mu * buffer[j] + d;
                p[j] -= lr * (d + mu * buffer[j]);
            }
        }
        AssertTrajectory("nesterov(lr: 0.1, beta: 0.8, weight_decay: 1e-3) { batch: 4; epochs: 6; seed: 5; schedule: cosine(t_max: 4, eta_min: 0.001); }", Rate, Nesterov);
    }
}

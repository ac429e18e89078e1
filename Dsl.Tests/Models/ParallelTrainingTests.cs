using System;
using System.Linq;
using OptDsl.Runtime.Training;
using OptDsl.Tests.Compiler;
using Xunit;

namespace OptDsl.Tests.Models;

/// <summary>
/// <c>parallel: N</c>: each batch's rows split into N fixed parts on N threads, added back in part order. Runs repeat to
/// the bit whatever the thread timing, agree with one thread up to the regrouping of the sums, and allocate nothing per
/// batch.
/// </summary>
public sealed class ParallelTrainingTests
{
    private const string Network = """
        model Net {
            dim d;
            dim h = 6;
            input x[d];
            target y;
            var W[h, d] = glorot();
            var v[h] = normal(0, 0.3);
            var c = 0;
            let hidden[j in 0..h] = tanh(sum(i in 0..d) W[j, i] * x[i]);
            let z = sum(j in 0..h) v[j] * hidden[j] + c;
            predict sigmoid(z);
            loss bce_logits(z, y) + 1e-3 * l2(W);
            optimizer adam(lr: 0.01) { batch: 20; epochs: 4; seed: 9; parallel: THREADS; }
        }
        """;

    private static (double[] Weights, TrainingReport Report) Train(int threads, System.Reflection.Assembly? assembly = null)
    {
        assembly ??= GeneratedCode.Build("net.opt", Network.Replace("THREADS", threads.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        dynamic model = assembly.Create("Net", 30);
        var data = ModelData.Cancer.Training;
        TrainingReport report = model.Fit(data.Features, data.Labels, ModelData.Cancer.Test.Features, ModelData.Cancer.Test.Labels);
        return ((double[])model.GetParameters(), report);
    }

    [Fact]
    public void Parallel_runs_repeat_to_the_bit_and_agree_with_one_thread()
    {
        var assembly = GeneratedCode.Build("net.opt", Network.Replace("THREADS", "3"));
        var first = Train(3, assembly);
        for (int run = 0; run < 4; run++)
        {
            var again = Train(3, assembly);
            Assert.Equal(first.Weights.Select(BitConverter.DoubleToInt64Bits), again.Weights.Select(BitConverter.DoubleToInt64Bits));
            Assert.Equal(first.Report.Epochs.Select(e => (e.TrainingLoss, e.ValidationLoss)), again.Report.Epochs.Select(e => (e.TrainingLoss, e.ValidationLoss)));
        }
        var single = Train(1);
        for (int k = 0; k < single.Weights.Length; k++)
            Assert.True(Math.Abs(single.Weights[k] - first.Weights[k]) <= 1e-9 * (1 + Math.Abs(single.Weights[k])), $"w[{k}]: {single.Weights[k]:R} vs {first.Weights[k]:R}");
    }

    [Fact]
    public void A_parallel_batch_allocates_nothing_per_batch()
    {
        var assembly = GeneratedCode.Build("net.opt", Network.Replace("THREADS", "2"));
        dynamic model = assembly.Create("Net", 30);
        ModelData.AssertNoAllocationPerEpoch(model);
    }

    private const string FullBatch = """
        model Logistic {
            dim d;
            input x[d];
            target y;
            var w[d] = 0;
            var b = 0;
            let z = dot(w, x) + b;
            predict sigmoid(z);
            loss bce_logits(z, y) + 1e-3 * l2(w);
            optimizer lbfgs(tolerance: 1e-8) { parallel: 3; }
        }
        """;

    [Fact]
    public void A_parallel_full_batch_solve_repeats_to_the_bit_and_reaches_the_one_thread_minimizer()
    {
        var assembly = GeneratedCode.Build("full.opt", FullBatch);
        var data = ModelData.Cancer.Training;
        (double[] Weights, TrainingReport Report) Run(int threads)
        {
            dynamic model = assembly.Create("Logistic", 30);
            Assert.Equal(3, (int)model.Parallelism);
            model.Parallelism = threads;
            TrainingReport report = model.Fit(data.Features, data.Labels);
            return ((double[])model.GetParameters(), report);
        }
        var first = Run(3);
        Assert.Equal(StopReason.Converged, first.Report.StopReason);
        for (int run = 0; run < 3; run++)
        {
            var again = Run(3);
            Assert.Equal(first.Weights.Select(BitConverter.DoubleToInt64Bits), again.Weights.Select(BitConverter.DoubleToInt64Bits));
            Assert.Equal(first.Report.Epochs.Select(e => e.TrainingLoss), again.Report.Epochs.Select(e => e.TrainingLoss));
        }
        var single = Run(1);
        Assert.Equal(StopReason.Converged, single.Report.StopReason);
        // Both are the minimizer of a strongly convex loss to the tolerance: the regrouped sums do not move it.
        for (int k = 0; k < single.Weights.Length; k++)
            Assert.True(Math.Abs(single.Weights[k] - first.Weights[k]) <= 1e-6 * (1 + Math.Abs(single.Weights[k])), $"w[{k}]: {single.Weights[k]:R} vs {first.Weights[k]:R}");
        dynamic bad = assembly.Create("Logistic", 30);
        Assert.Throws<ArgumentOutOfRangeException>(() => { bad.Parallelism = 0; });
    }
}

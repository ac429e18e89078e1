using System;
using System.IO;
using System.Linq;
using OptDsl.Runtime;
using OptDsl.Runtime.Training;
using OptDsl.Tests.Compiler;
using Xunit;

namespace OptDsl.Tests.Models;

/// <summary>
/// L2-regularized logistic regression on breast cancer, written as a model and as a problem: the full-batch model
/// reaches the problem's Newton minimizer, adam with a decaying schedule gets close to its loss, runs repeat to the bit.
/// </summary>
public sealed class LogisticModelTests
{
    private const string Source = """
        model LogReg {
            dim d;
            input x[d];
            target y;
            var w[d] = 0;
            var b = 0;
            param lambda = 1e-3;
            let z = dot(w, x) + b;
            predict sigmoid(z);
            loss bce_logits(z, y) + lambda * l2(w);
            optimizer OPTIMIZER
        }

        problem LogRegProblem {
            dim m;
            dim d;
            data X[m, d];
            data y[m];
            var w[d];
            var b;
            param lambda = 1e-3;
            let z[i in 0..m] = sum(j in 0..d) X[i, j] * w[j] + b;
            minimize sum(i in 0..m) bce_logits(z[i], y[i]) / m + lambda * l2(w);
            solver newton(tolerance: 1e-12);
        }
        """;

    private static dynamic Model(string optimizer, out System.Reflection.Assembly assembly)
    {
        assembly = GeneratedCode.Build("logreg.opt", Source.Replace("OPTIMIZER", optimizer));
        return assembly.Create("LogReg", 30);
    }

    private static double[] NewtonMinimizer(System.Reflection.Assembly assembly)
    {
        var data = ModelData.Cancer.Training;
        var problem = assembly.Create("LogRegProblem", data.Features, data.Labels);
        var result = GeneratedCode.Solve(problem);
        Assert.True(result.Status == SolveStatus.Converged, result.ToString());
        return result.X;
    }

    [Fact]
    public void Full_batch_lbfgs_reaches_the_minimizer_of_the_same_loss_written_as_a_problem()
    {
        var model = Model("lbfgs(tolerance: 1e-11, max_iter: 1000);", out var assembly);
        var data = ModelData.Cancer.Training;
        TrainingReport report = model.Fit(data.Features, data.Labels);
        Assert.True(report.StopReason == StopReason.Converged, report.ToString());
        double[] expected = NewtonMinimizer(assembly);
        double[] trained = model.GetParameters();
        double gap = expected.Zip(trained, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(gap <= 1e-8, $"max |Δ| = {gap:G3}; {report}");
        // The loss the model reports is the problem's objective.
        var problem = assembly.Create("LogRegProblem", data.Features, data.Labels);
        Assert.Equal(((IObjectiveProblem)problem).Objective(expected), (double)model.Loss(data.Features, data.Labels), 1e-12);
    }

    [Fact]
    public void Full_batch_newton_converges_to_the_same_minimizer()
    {
        var model = Model("newton(tolerance: 1e-12);", out var assembly);
        var data = ModelData.Cancer.Training;
        TrainingReport report = model.Fit(data.Features, data.Labels, ModelData.Cancer.Test.Features, ModelData.Cancer.Test.Labels);
        Assert.True(report.StopReason == StopReason.Converged, report.ToString());
        Assert.NotNull(report.Solve);
        Assert.True(report.Epochs.Count <= 20, $"{report.Epochs.Count} Newton iterations");
        Assert.True(double.IsFinite(report.Epochs[^1].ValidationLoss));
        double[] expected = NewtonMinimizer(assembly);
        double[] trained = model.GetParameters();
        for (int k = 0; k < expected.Length; k++) Assert.Equal(expected[k], trained[k], 1e-9);
    }

    [Fact]
    public void Adam_with_a_decaying_schedule_gets_within_1e_4_of_the_optimal_loss()
    {
        var model = Model("adam(lr: 0.05) { batch: 32; epochs: 200; seed: 7; schedule: cosine(eta_min: 1e-4); }", out var assembly);
        var data = ModelData.Cancer.Training;
        TrainingReport report = model.Fit(data.Features, data.Labels);
        Assert.Equal(StopReason.EpochsDone, report.StopReason);
        var problem = (IObjectiveProblem)assembly.Create("LogRegProblem", data.Features, data.Labels);
        double best = problem.Objective(NewtonMinimizer(assembly));
        double reached = model.Loss(data.Features, data.Labels);
        Assert.InRange(reached - best, 0, 1e-4);
        double[] predictions = model.Predict(ModelData.Cancer.Test.Features);
        double accuracy = predictions.Zip(ModelData.Cancer.Test.Labels, (p, y) => (p >= 0.5 ? 1 : 0) == y ? 1.0 : 0.0).Average();
        Assert.True(accuracy > 0.95, $"test accuracy {accuracy}");
    }

    [Fact]
    public void Same_seed_and_data_give_the_same_weights_and_report_to_the_bit()
    {
        var data = ModelData.Cancer.Training;
        var first = Model("adam(lr: 0.01) { batch: 16; epochs: 5; seed: 3; }", out _);
        var second = Model("adam(lr: 0.01) { batch: 16; epochs: 5; seed: 3; }", out _);
        TrainingReport a = first.Fit(data.Features, data.Labels, ModelData.Cancer.Test.Features, ModelData.Cancer.Test.Labels);
        TrainingReport b = second.Fit(data.Features, data.Labels, ModelData.Cancer.Test.Features, ModelData.Cancer.Test.Labels);
        Assert.Equal(((double[])first.GetParameters()).Select(BitConverter.DoubleToInt64Bits), ((double[])second.GetParameters()).Select(BitConverter.DoubleToInt64Bits));
        Assert.Equal(a.Epochs.Select(e => (e.TrainingLoss, e.ValidationLoss, e.LearningRate)), b.Epochs.Select(e => (e.TrainingLoss, e.ValidationLoss, e.LearningRate)));
        var other = Model("adam(lr: 0.01) { batch: 16; epochs: 5; seed: 4; }", out _);
        other.Fit(data.Features, data.Labels);
        Assert.NotEqual((double[])first.GetParameters(), (double[])other.GetParameters());
    }

    [Fact]
    public void Saved_weights_load_back_to_the_same_bits_and_a_file_of_another_shape_is_refused()
    {
        var model = Model("adam(lr: 0.01) { batch: 32; epochs: 3; }", out var assembly);
        var data = ModelData.Cancer.Training;
        model.Fit(data.Features, data.Labels);
        model.Lambda = 0.25;
        string path = Path.Combine(Path.GetTempPath(), $"logreg-{Guid.NewGuid():N}.json");
        try
        {
            model.Save(path);
            var loaded = assembly.Create("LogReg", 30);
            ((dynamic)loaded).Load(path);
            Assert.Equal((double[])model.GetParameters(), (double[])((dynamic)loaded).GetParameters());
            Assert.Equal(0.25, (double)((dynamic)loaded).Lambda);
            var narrow = (dynamic)assembly.Create("LogReg", 29);
            var e = Assert.Throws<InvalidDataException>(() => { narrow.Load(path); });
            Assert.True(e.Message.Contains("weight 'w' has shape [30], but this model's is [29]"), e.ToString());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Fit_allocates_nothing_per_batch_or_per_epoch()
    {
        // 455 rows in batches of 8: 57 batches an epoch.
        var model = Model("adam(lr: 0.01) { batch: 8; epochs: 2; }", out _);
        ModelData.AssertNoAllocationPerEpoch(model);
    }

    [Fact]
    public void Bad_data_is_refused_naming_the_row_and_column()
    {
        var model = Model("sgd(lr: 0.1) { batch: all; epochs: 1; }", out _);
        var x = new double[3, 30];
        x[1, 7] = double.NaN;
        var e = Assert.Throws<ArgumentException>(() => model.Fit(x, new double[] { 0, 1, 0 }));
        Assert.Contains("inputs[1, 7] is NaN (row 1, column 7)", e.Message);
        var narrow = new double[3, 29];
        e = Assert.Throws<ArgumentException>(() => model.Fit(narrow, new double[] { 0, 1, 0 }));
        Assert.Contains("inputs has 29 columns, but input x[d]", e.Message);
        e = Assert.Throws<ArgumentException>(() => model.Fit(new double[3, 30], new double[] { 0, 1 }));
        Assert.Contains("inputs has 3 rows but targets has 2", e.Message);
    }
}

using System;
using System.IO;
using System.Linq;
using System.Threading;
using OptDsl.Runtime.Training;
using OptDsl.Runtime.Tuning;
using OptDsl.Tests.Compiler;
using OptDsl.Tests.Models;
using Xunit;

namespace OptDsl.Tests.Tuning;

/// <summary>
/// Tune blocks end to end on the breast-cancer logistic regression: the generated search sets each trial's
/// hyperparameters, a trial's value is the validation loss without the penalty of the weights training returned (checked
/// by training again by hand), grid runs every combination once, random repeats for a seed, the median pruner stops
/// trials, and the best trial's model is kept.
/// </summary>
public sealed class TuneTests
{
    internal const string Source = """
        model Logistic {
            dim d;
            input x[d];
            target y;
            var w[d] = 0;
            var b = 0;
            param lambda = 1e-3;
            let z = dot(w, x) + b;
            predict sigmoid(z);
            loss bce_logits(z, y) + lambda * l2(w);
            optimizer adam(lr: 0.01) { batch: 32; epochs: 6; seed: 3; }
        }

        tune Logistic as GridSearch {
            lambda in {0, 1e-3, 1e-1};
            batch in {16, 64};
            search grid;
        }

        tune Logistic as RandomSearch {
            lr in logrange(1e-4, 1e-1);
            lambda in range(0, 0.05);
            epochs in range(2, 8);
            search random(trials: 12, seed: 5);
            prune: median;
        }

        tune Logistic as BandSearch {
            lr in logrange(1e-4, 1e-1);
            lambda in range(0, 0.05);
            search hyperband(max_epochs: 9, eta: 3, seed: 2);
        }

        tune Logistic as TpeSearch {
            lr in logrange(1e-4, 1e-1);
            batch in {16, 32, 64};
            search bayes(trials: 15, seed: 2);
            prune: median;
        }
        """;

    private static readonly Lazy<System.Reflection.Assembly> s_assembly = new(() => GeneratedCode.Build("tune.opt", Source));

    private static (double[,] X, double[] Y, double[,] Vx, double[] Vy) Data =>
        (ModelData.Cancer.Training.Features, ModelData.Cancer.Training.Labels, ModelData.Cancer.Test.Features, ModelData.Cancer.Test.Labels);

    private static Study Run(string search, TuneOptions? options = null)
    {
        dynamic tune = s_assembly.Value.Create(search, 30);
        var (x, y, vx, vy) = Data;
        return (Study)tune.Run(x, y, vx, vy, options);
    }

    [Fact]
    public void Grid_runs_every_combination_once_in_order_and_keeps_the_best_model()
    {
        var study = Run("GridSearch");
        Assert.Equal(6, study.Trials.Count);
        Assert.Equal(
            new[] { (0.0, 16.0), (0.0, 64.0), (1e-3, 16.0), (1e-3, 64.0), (0.1, 16.0), (0.1, 64.0) },
            study.Trials.Select(t => (t.Parameters["lambda"], t.Parameters["batch"])));
        Assert.All(study.Trials, t => Assert.Equal(TrialState.Complete, t.State));
        Assert.All(study.Trials, t => Assert.Equal(6, t.EpochValues.Count));
        var best = study.Trials.OrderBy(t => t.Value).First();
        Assert.Same(best, study.Best);
        Assert.Equal("grid", study.Search);

        // The best model is the best trial's: its validation loss without the penalty is the trial's value.
        dynamic model = ((dynamic)study).BestModel;
        double lambda = model.Lambda;
        Assert.Equal(best.Parameters["lambda"], lambda);
        model.Lambda = 0.0;
        var (_, _, vx, vy) = Data;
        double dataLoss = model.Loss(vx, vy);
        Assert.True(Math.Abs(dataLoss - best.Value) <= 1e-12 * (1 + dataLoss), $"{dataLoss:R} vs {best.Value:R}");
    }

    [Fact]
    public void A_trial_value_is_what_training_the_same_model_by_hand_gives()
    {
        var study = Run("GridSearch");
        var trial = study.Trials[3];
        dynamic model = s_assembly.Value.Create("Logistic", 30);
        model.Lambda = trial.Parameters["lambda"];
        model.TrainingOptions = ((TrainingOptions)model.TrainingOptions) with { BatchSize = (int)trial.Parameters["batch"] };
        var (x, y, vx, vy) = Data;
        TrainingReport report = model.Fit(x, y, vx, vy);
        Assert.Equal(report.Epochs.Select(e => e.ValidationDataLoss), trial.EpochValues);
        Assert.Equal(report.Epochs[^1].ValidationDataLoss, trial.Value);
        // The data loss leaves the penalty out: the penalty is what separates it from the validation loss.
        double[] w = ((double[])model.GetParameters()).Take(30).ToArray();
        double penalty = trial.Parameters["lambda"] * w.Sum(v => v * v);
        Assert.True(Math.Abs(report.Epochs[^1].ValidationLoss - penalty - trial.Value) <= 1e-12, "validation loss = data loss + penalty");
    }

    [Fact]
    public void Random_search_repeats_for_its_seed_stays_in_its_ranges_and_prunes()
    {
        var a = Run("RandomSearch");
        var b = Run("RandomSearch");
        Assert.Equal(12, a.Trials.Count);
        Assert.Equal(a.Trials.Select(t => (t.State, t.Value)), b.Trials.Select(t => (t.State, t.Value)));
        Assert.Equal(a.Trials.SelectMany(t => t.ParameterValues), b.Trials.SelectMany(t => t.ParameterValues));
        foreach (var t in a.Trials)
        {
            Assert.InRange(t.Parameters["lr"], 1e-4, 1e-1);
            Assert.InRange(t.Parameters["lambda"], 0, 0.05);
            Assert.InRange(t.Parameters["epochs"], 2, 8);
            Assert.Equal(Math.Floor(t.Parameters["epochs"]), t.Parameters["epochs"]);
            if (t.State == TrialState.Complete) Assert.Equal((int)t.Parameters["epochs"], t.EpochValues.Count);
        }
        Assert.Equal("random(trials: 12, seed: 5), prune: median", a.Search);
        // The median pruner waits for five complete trials, then stops trials worse than the median at their epoch.
        Assert.All(a.Trials.Take(5), t => Assert.Equal(TrialState.Complete, t.State));
        var pruned = a.Trials.Where(t => t.State == TrialState.Pruned).ToList();
        Assert.NotEmpty(pruned);
        foreach (var t in pruned)
        {
            int epoch = t.EpochValues.Count - 1;
            var before = a.Trials.Where(o => o.Number < t.Number && o.State == TrialState.Complete && o.EpochValues.Count > epoch)
                .Select(o => o.EpochValues[epoch]).ToList();
            Assert.True(t.EpochValues.Min() > MedianPruner.Median(before), $"trial {t.Number} pruned at epoch {epoch + 1}");
            Assert.True(t.EpochValues.Count < t.Parameters["epochs"], "a pruned trial stops before its last epoch");
        }
    }

    [Fact]
    public void Hyperband_trains_every_trial_toward_max_epochs_and_stops_the_poor_ones_at_rungs()
    {
        var study = Run("BandSearch");
        var pruner = new HyperbandPruner(9, 3);
        Assert.Equal(pruner.TrialCount, study.Trials.Count);
        Assert.Equal(17, study.Trials.Count);
        foreach (var t in study.Trials)
        {
            if (t.State == TrialState.Complete) Assert.Equal(9, t.EpochValues.Count);
            else
            {
                Assert.Equal(TrialState.Pruned, t.State);
                Assert.Contains(t.EpochValues.Count, pruner.Rungs(pruner.Bracket(t.Number)));
            }
        }
        int epochs = study.Trials.Sum(t => t.EpochValues.Count);
        // In memory, halving is synchronous, as in Li et al.: bracket 0 trains 9 trials 1 epoch, the best 3 to epoch 3,
        // the best one to 9 (6 + 2·3 + 9 = 21 epochs); bracket 1, 5 trials to 3 and the best one to 9 (4·3 + 9 = 21);
        // bracket 2, 3 trials of 9 (27): 69 epochs in all, against 153 without pruning.
        Assert.Equal(69, epochs);
        foreach (int bracket in new[] { 0, 1 })
        {
            var trials = study.Trials.Where(t => pruner.Bracket(t.Number) == bracket).ToList();
            var rung = pruner.Rungs(bracket)[0];
            var reached = trials.Where(t => t.EpochValues.Count > rung).ToList();
            // Those that went on past the first rung were the best of their bracket there.
            double worstKept = reached.Max(t => t.EpochValues[rung - 1]);
            Assert.All(trials.Except(reached), t => Assert.True(t.EpochValues[rung - 1] >= worstKept));
        }
        Assert.NotNull(study.Best);
        Assert.Equal("random(trials: 17, seed: 2), prune: hyperband(max_epochs: 9, eta: 3)", study.Search);
        // Trials of a bracket train on their own threads, and the run repeats to the bit all the same.
        var again = Run("BandSearch");
        Assert.Equal(study.Trials.SelectMany(t => t.EpochValues).Select(BitConverter.DoubleToInt64Bits), again.Trials.SelectMany(t => t.EpochValues).Select(BitConverter.DoubleToInt64Bits));
        Assert.Equal(study.Trials.Select(t => t.State), again.Trials.Select(t => t.State));
    }

    [Fact]
    public void Bayes_runs_its_trials_and_repeats_for_its_seed()
    {
        var a = Run("TpeSearch");
        var b = Run("TpeSearch");
        Assert.Equal(15, a.Trials.Count);
        Assert.Equal(a.Trials.SelectMany(t => t.ParameterValues), b.Trials.SelectMany(t => t.ParameterValues));
        Assert.Equal(a.Trials.Select(t => t.Value), b.Trials.Select(t => t.Value));
        Assert.Equal("bayes(trials: 15, seed: 2), prune: median", a.Search);
    }

    [Fact]
    public void Progress_reports_each_trial_and_cancellation_stops_the_study()
    {
        using var cts = new CancellationTokenSource();
        int reports = 0;
        var study = Run("GridSearch", new TuneOptions
        {
            Progress = new SyncProgress<Trial>(t => { if (++reports == 2) cts.Cancel(); }),
            CancellationToken = cts.Token,
        });
        Assert.True(study.Cancelled);
        Assert.Equal(2, study.Trials.Count);
        Assert.Equal(2, reports);
    }

    [Fact]
    public void The_trials_export_to_csv_that_reads_back()
    {
        var study = Run("GridSearch");
        var writer = new StringWriter();
        study.WriteCsv(writer);
        var lines = writer.ToString().Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("number,state,value,duration_s,epochs,lambda,batch,epoch_values,message", lines[0]);
        Assert.Equal(7, lines.Length);
        var cells = lines[1].Split(',');
        Assert.Equal(("0", "Complete"), (cells[0], cells[1]));
        Assert.Equal(study.Trials[0].Value, double.Parse(cells[2], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(study.Trials[0].EpochValues, cells[7].Split(';').Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Run_needs_validation_data()
    {
        dynamic tune = s_assembly.Value.Create("GridSearch", 30);
        var (x, y, _, _) = Data;
        var e = Assert.Throws<ArgumentNullException>(() => (Study)tune.Run(x, y, null, null, null));
        Assert.Contains("validation", e.Message);
    }

    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}

using System;
using System.Globalization;
using System.Linq;
using OptDsl.Runtime.Training;
using OptDsl.Runtime.Tuning;
using OptDsl.Tests.Compiler;
using OptDsl.Tests.Models;
using Xunit;

namespace OptDsl.Tests.Tuning;

/// <summary>
/// Tuning the update rule's options, the schedule's, gradient clipping and warm-up: a trial trains exactly as the same
/// model with those values written in its optimizer block does, to the bit (checked by compiling that model).
/// </summary>
public sealed class OptionTuningTests
{
    private const string Model = """
        model Opt {
            dim d;
            input x[d];
            target y;
            var w[d] = 0;
            var b = 0;
            let z = dot(w, x) + b;
            predict sigmoid(z);
            loss bce_logits(z, y);
            optimizer adam(lr: 0.02, beta1: 0.8) { batch: 32; epochs: 5; seed: 4; schedule: step(step_size: 2, gamma: 0.5); }
        }

        """;

    private const string Search = """
        tune Opt as OptSearch {
            beta1 in {0.5, 0.95};
            beta2 in {0.99};
            gamma in {0.3, 0.7};
            step_size in {1, 3};
            clip_norm in {0, 0.5};
            warmup in {1, 2};
            search grid;
        }
        """;

    [Fact]
    public void A_trial_trains_as_the_model_with_its_values_written_does()
    {
        var (training, test) = ModelData.Cancer;
        dynamic search = GeneratedCode.Build("options.opt", Model + Search).Create("OptSearch", 30);
        var study = (Study)search.Run(training.Features, training.Labels, test.Features, test.Labels, null);
        Assert.Equal(32, study.Trials.Count);
        Assert.Equal(32, study.Trials.Select(t => t.Value).Distinct().Count());
        foreach (int k in new[] { 0, 13, 31 })
        {
            var p = study.Trials[k].Parameters;
            string F(string name) => p[name].ToString("R", CultureInfo.InvariantCulture);
            string clip = p["clip_norm"] > 0 ? $" clip_norm: {F("clip_norm")};" : "";
            string written = Model.Replace("optimizer adam(lr: 0.02, beta1: 0.8) { batch: 32; epochs: 5; seed: 4; schedule: step(step_size: 2, gamma: 0.5); }",
                $"optimizer adam(lr: 0.02, beta1: {F("beta1")}, beta2: {F("beta2")}) {{ batch: 32; epochs: 5; seed: 4;{clip} warmup: {F("warmup")}; schedule: step(step_size: {F("step_size")}, gamma: {F("gamma")}); }}");
            Assert.NotEqual(Model, written);
            dynamic model = GeneratedCode.Build($"written{k}.opt", written).Create("Opt", 30);
            TrainingReport report = model.Fit(training.Features, training.Labels, test.Features, test.Labels);
            Assert.Equal(report.Epochs.Select(e => BitConverter.DoubleToInt64Bits(e.ValidationDataLoss)), study.Trials[k].EpochValues.Select(BitConverter.DoubleToInt64Bits));
        }
    }
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using OptDsl.Runtime.Tuning;
using OptDsl.Tests.Compiler;
using OptDsl.Tests.Models;
using Xunit;

namespace OptDsl.Tests.Tuning;

/// <summary>
/// The measurements behind docs/tuning.md, on softmax regression trained by adam over scikit-learn's digits (the
/// training part split 80/20 into training and validation): a dense grid of 192 trials against bayes with a quarter of
/// them, and hyperband against random search with as many trials, over several seeds (hyperband draws with seed
/// 100 + s where random search draws with s: a random sampler with the same seed would draw the same points). Runs only when
/// OPTDSL_TUNE_REPORT names a file (the tables are written there); OPTDSL_TUNE_SEEDS sets the seeds (default 5).
/// </summary>
public sealed class TuneCampaign
{
    internal const string Source = """
        model DigitsSoftmax {
            dim d;
            dim k;
            input x[d];
            target y[k];
            var W[k, d] = 0;
            var b[k] = 0;
            param lambda = 1e-3;
            let z[c in 0..k] = sum(j in 0..d) W[c, j] * x[j] + b[c];
            let p[c in 0..k] = exp(z[c] - logsumexp(i in 0..k) z[i]);
            predict p;
            loss cce_logits(z, y) + lambda * l2(W);
            optimizer adam(lr: 1e-2) { batch: 32; epochs: 27; seed: 1; }
        }

        tune DigitsSoftmax as DenseGrid {
            lr in {1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1};
            lambda in {1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1};
            batch in {16, 32, 64, 128};
            search grid;
        }

        tune DigitsSoftmax as Tpe {
            lr in logrange(1e-4, 3e-1);
            lambda in logrange(1e-6, 1e-1);
            batch in {16, 32, 64, 128};
            search bayes(trials: 48, seed: SEED);
        }

        tune DigitsSoftmax as Random48 {
            lr in logrange(1e-4, 3e-1);
            lambda in logrange(1e-6, 1e-1);
            batch in {16, 32, 64, 128};
            search random(trials: 48, seed: SEED);
        }

        tune DigitsSoftmax as Band {
            lr in logrange(1e-4, 3e-1);
            lambda in logrange(1e-6, 1e-1);
            batch in {16, 32, 64, 128};
            search hyperband(max_epochs: 27, eta: 3, seed: BANDSEED);
        }

        tune DigitsSoftmax as Band81 {
            lr in logrange(1e-4, 3e-1);
            lambda in logrange(1e-6, 1e-1);
            batch in {16, 32, 64, 128};
            search hyperband(max_epochs: 81, eta: 3, iterations: 2, seed: BANDSEED);
        }

        tune DigitsSoftmax as Random81 {
            lr in logrange(1e-4, 3e-1);
            lambda in logrange(1e-6, 1e-1);
            batch in {16, 32, 64, 128};
            epochs in {81};
            search random(trials: 143, seed: SEED);
        }

        tune DigitsSoftmax as RandomBand {
            lr in logrange(1e-4, 3e-1);
            lambda in logrange(1e-6, 1e-1);
            batch in {16, 32, 64, 128};
            search random(trials: 49, seed: SEED);
        }
        """;

    [Fact]
    public void Campaign()
    {
        if (Environment.GetEnvironmentVariable("OPTDSL_TUNE_REPORT") is not { Length: > 0 } path) return;
        int seeds = int.TryParse(Environment.GetEnvironmentVariable("OPTDSL_TUNE_SEEDS"), out int s) ? s : 5;
        var (rest, _) = ModelData.Digits;
        var (training, validation) = rest.Split(0.2, seed: 7);
        var (x, y, vx, vy) = (training.Features, training.OneHotLabels(10), validation.Features, validation.OneHotLabels(10));
        Study Run(System.Reflection.Assembly assembly, string search)
        {
            dynamic tune = assembly.Create(search, 64, 10);
            return (Study)tune.Run(x, y, vx, vy, null);
        }
        int Epochs(Study study) => study.Trials.Sum(t => t.EpochValues.Count);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var first = GeneratedCode.Build("tuning.opt", Source.Replace("BANDSEED", "100").Replace("SEED", "0"));
        var grid = Run(first, "DenseGrid");
        double gridBest = grid.Best!.Value;
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Dense grid: {grid.Trials.Count} trials, {Epochs(grid)} epochs, best validation loss {gridBest:F5} (lr {grid.Best.Parameters["lr"]:G3}, lambda {grid.Best.Parameters["lambda"]:G3}, batch {grid.Best.Parameters["batch"]}).\n\n");
        text.Append("| seed | bayes, 48 trials: best | vs grid | random, 48 trials: best | vs grid | random, 49 × 27 epochs: best | epochs | hyperband: best | epochs | epochs until random's best |\n");
        text.Append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        var rows = new List<(double Bayes, double Random, double RandomBand, int RandomEpochs, double Band, int BandEpochs, int ToRandom)>();
        for (int seed = 0; seed < seeds; seed++)
        {
            var assembly = seed == 0 ? first : GeneratedCode.Build("tuning.opt", Source.Replace("BANDSEED", (100 + seed).ToString(CultureInfo.InvariantCulture)).Replace("SEED", seed.ToString(CultureInfo.InvariantCulture)));
            var tpe = Run(assembly, "Tpe");
            var random = Run(assembly, "Random48");
            var band = Run(assembly, "Band");
            var randomBand = Run(assembly, "RandomBand");
            double target = randomBand.Best!.Value;
            int spent = 0, toRandom = -1;
            foreach (var t in band.Trials)
            {
                spent += t.EpochValues.Count;
                if (t.State == TrialState.Complete && t.Value <= target) { toRandom = spent; break; }
            }
            rows.Add((tpe.Best!.Value, random.Best!.Value, target, Epochs(randomBand), band.Best!.Value, Epochs(band), toRandom));
            var r = rows[^1];
            text.Append(CultureInfo.InvariantCulture,
                $"| {seed} | {r.Bayes:F5} | {100 * (r.Bayes / gridBest - 1):+0.00;-0.00}% | {r.Random:F5} | {100 * (r.Random / gridBest - 1):+0.00;-0.00}% | {r.RandomBand:F5} | {r.RandomEpochs} | {r.Band:F5} | {r.BandEpochs} | {(r.ToRandom < 0 ? "never" : r.ToRandom.ToString(CultureInfo.InvariantCulture))} |\n");
            File.WriteAllText(path, text.ToString());
        }
        text.Append(CultureInfo.InvariantCulture,
            $"| mean | {rows.Average(r => r.Bayes):F5} | {100 * (rows.Average(r => r.Bayes) / gridBest - 1):+0.00;-0.00}% | {rows.Average(r => r.Random):F5} | {100 * (rows.Average(r => r.Random) / gridBest - 1):+0.00;-0.00}% | {rows.Average(r => r.RandomBand):F5} | {rows.Average(r => r.RandomEpochs):F0} | {rows.Average(r => r.Band):F5} | {rows.Average(r => r.BandEpochs):F0} | |\n");

        // Hyperband at R = 81 (143 trials an iteration), two iterations, against random search over 143 trials of 81 epochs.
        text.Append("\n| seed | random, 143 × 81 epochs: best | epochs | hyperband R = 81, 2 iterations: best | epochs | share | epochs until random's best |\n");
        text.Append("|---:|---:|---:|---:|---:|---:|---:|\n");
        var wide = new List<(double Random, int RandomEpochs, double Band, int BandEpochs, int ToRandom)>();
        for (int seed = 0; seed < seeds; seed++)
        {
            var assembly = GeneratedCode.Build("tuning.opt", Source.Replace("BANDSEED", (100 + seed).ToString(CultureInfo.InvariantCulture)).Replace("SEED", seed.ToString(CultureInfo.InvariantCulture)));
            var random = Run(assembly, "Random81");
            var band = Run(assembly, "Band81");
            double target = random.Best!.Value;
            int spent = 0, toRandom = -1;
            foreach (var t in band.Trials)
            {
                spent += t.EpochValues.Count;
                if (t.State == TrialState.Complete && t.Value <= target && toRandom < 0) toRandom = spent;
            }
            wide.Add((target, Epochs(random), band.Best!.Value, Epochs(band), toRandom));
            var r = wide[^1];
            text.Append(CultureInfo.InvariantCulture,
                $"| {seed} | {r.Random:F5} | {r.RandomEpochs} | {r.Band:F5} | {r.BandEpochs} | {r.BandEpochs / (double)r.RandomEpochs:P0} | {(r.ToRandom < 0 ? "never" : r.ToRandom.ToString(CultureInfo.InvariantCulture))} |\n");
            File.WriteAllText(path, text.ToString());
        }
        text.Append(CultureInfo.InvariantCulture,
            $"| mean | {wide.Average(r => r.Random):F5} | {wide.Average(r => r.RandomEpochs):F0} | {wide.Average(r => r.Band):F5} | {wide.Average(r => r.BandEpochs):F0} | {wide.Average(r => r.BandEpochs / (double)r.RandomEpochs):P0} | |\n");
        text.Append(CultureInfo.InvariantCulture, $"\n{seeds} seeds in {clock.Elapsed.TotalSeconds:F0} s.\n");
        File.WriteAllText(path, text.ToString());
    }
}

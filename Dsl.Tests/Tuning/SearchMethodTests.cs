using System;
using System.Collections.Generic;
using System.Linq;
using OptDsl.Compiler.Semantics;
using OptDsl.Runtime.Tuning;
using Xunit;

namespace OptDsl.Tests.Tuning;

/// <summary>bayes (TPE) and hyperband (successive halving) against their definitions, on a synthetic objective where a trial is a function call.</summary>
public sealed class SearchMethodTests
{
    private static readonly SearchSpace Space = new(
    [
        TuneDimension.LogRange("lr", 1e-5, 1),
        TuneDimension.Range("x", -1, 1),
        TuneDimension.Choice("batch", [16, 32, 64, 128], isInteger: true),
        TuneDimension.Range("epochs", 1, 50, isInteger: true),
    ]);

    /// <summary>A smooth objective with its minimum at lr = 10^-2.5, x = 0.3, batch = 32, epochs = 20.</summary>
    private static double Objective(IReadOnlyList<double> p) =>
        Math.Pow(Math.Log10(p[0]) + 2.5, 2) + 4 * Math.Pow(p[1] - 0.3, 2) + (p[2] == 32 ? 0 : 0.5) + Math.Pow((p[3] - 20) / 10, 2);

    private static List<Trial> Study(TrialSampler sampler, int trials)
    {
        var finished = new List<Trial>();
        for (int k = 0; k < trials; k++)
        {
            var p = sampler.Parameters(Space, k, finished);
            double f = Objective(p);
            finished.Add(new Trial(k, Space, p, [f], f, TrialState.Complete, TimeSpan.Zero, ""));
        }
        return finished;
    }

    [Fact]
    public void Tpe_starts_as_random_search_then_repeats_for_its_seed()
    {
        var tpe = Study(new TpeSampler(40, seed: 4), 40);
        var random = Study(new RandomSampler(40, seed: 4), 40);
        Assert.Equal(random.Take(10).SelectMany(t => t.ParameterValues), tpe.Take(10).SelectMany(t => t.ParameterValues));
        Assert.Equal(tpe.SelectMany(t => t.ParameterValues), Study(new TpeSampler(40, seed: 4), 40).SelectMany(t => t.ParameterValues));
        Assert.All(tpe, t =>
        {
            Assert.InRange(t.ParameterValues[0], 1e-5, 1);
            Assert.InRange(t.ParameterValues[1], -1, 1);
            Assert.Contains(t.ParameterValues[2], new[] { 16.0, 32, 64, 128 });
            Assert.Equal(Math.Floor(t.ParameterValues[3]), t.ParameterValues[3]);
        });
    }

    [Fact]
    public void Tpe_finds_better_points_than_random_search_with_the_same_trials()
    {
        int wins = 0;
        var tpeBest = new List<double>();
        var randomBest = new List<double>();
        for (int seed = 0; seed < 10; seed++)
        {
            double tpe = Study(new TpeSampler(60, seed), 60).Min(t => t.Value);
            double random = Study(new RandomSampler(60, seed), 60).Min(t => t.Value);
            tpeBest.Add(tpe);
            randomBest.Add(random);
            if (tpe < random) wins++;
        }
        Assert.True(wins >= 7, $"TPE better in {wins} of 10 seeds; TPE {string.Join(", ", tpeBest.Select(v => v.ToString("G3")))}; random {string.Join(", ", randomBest.Select(v => v.ToString("G3")))}");
        Assert.True(tpeBest.Average() < 0.5 * randomBest.Average(), $"mean best {tpeBest.Average():G3} against {randomBest.Average():G3}");
    }

    [Theory]
    [InlineData(81, 3, new[] { 81, 34, 15, 8, 5 }, new[] { 1, 3, 9, 27, 81 })]
    [InlineData(9, 3, new[] { 9, 5, 3 }, new[] { 1, 3, 9 })]
    [InlineData(27, 3, new[] { 27, 12, 6, 4 }, new[] { 1, 3, 9, 27 })]
    [InlineData(16, 2, new[] { 16, 10, 7, 5, 5 }, new[] { 1, 2, 4, 8, 16 })]
    [InlineData(1, 3, new[] { 1 }, new[] { 1 })]
    public void Hyperband_has_Li_et_al_s_brackets(int maxEpochs, int eta, int[] trials, int[] firstRungs)
    {
        var pruner = new HyperbandPruner(maxEpochs, eta);
        Assert.Equal(trials.Sum(), pruner.TrialCount);
        Assert.Equal(trials.Sum(), BoundTune.HyperbandTrials(maxEpochs, eta));
        int number = 0;
        for (int b = 0; b < trials.Length; b++)
        {
            for (int k = 0; k < trials[b]; k++) Assert.Equal(b, pruner.Bracket(number++));
            var rungs = pruner.Rungs(b);
            Assert.Equal(Enumerable.Range(0, 20).Select(i => firstRungs[b] * (long)Math.Pow(eta, i)).TakeWhile(r => r < maxEpochs).Select(r => (int)r), rungs);
        }
    }

    [Fact]
    public void Hyperband_iterations_repeat_the_brackets_with_fresh_trials()
    {
        var once = new HyperbandPruner(27, 3);
        var thrice = new HyperbandPruner(27, 3, iterations: 3);
        Assert.Equal(3 * once.TrialCount, thrice.TrialCount);
        Assert.Equal(3 * once.BracketCount, thrice.BracketCount);
        Assert.Equal(3 * BoundTune.HyperbandTrials(27, 3), thrice.TrialCount);
        for (int k = 0; k < once.TrialCount; k++)
            for (int iteration = 0; iteration < 3; iteration++)
                Assert.Equal(once.Bracket(k) + iteration * once.BracketCount, thrice.Bracket(k + iteration * once.TrialCount));
        for (int b = 0; b < thrice.BracketCount; b++) Assert.Equal(once.Rungs(b % once.BracketCount), thrice.Rungs(b));
        Assert.Equal("hyperband(max_epochs: 27, eta: 3, iterations: 3)", thrice.Description);
    }

    [Fact]
    public void Hyperband_keeps_the_best_third_of_a_bracket_at_each_rung()
    {
        var pruner = new HyperbandPruner(9, 3);  // bracket 0: trials 0-8, rungs 1 and 3
        var finished = new List<Trial>();
        Trial Done(int number, params double[] values) => new(number, Space, [0.1, 0, 16, 9], values, values[^1], TrialState.Complete, TimeSpan.Zero, "");
        // Alone at a rung, a trial goes on (asynchronous halving promotes the best of what it has seen).
        Assert.False(pruner.ShouldPrune(0, [5.0], finished));
        finished.Add(Done(0, 5, 4, 3, 3, 3, 3, 3, 3, 3));
        Assert.True(pruner.ShouldPrune(1, [6.0], finished));    // 2 at the rung: only the best goes on
        Assert.False(pruner.ShouldPrune(1, [4.0], finished));
        finished.Add(Done(1, 4, 3.5, 3.2, 3, 3, 3, 3, 3, 3));
        finished.Add(Done(2, 7, 6, 5, 5, 5, 5, 5, 5, 5));
        finished.Add(Done(3, 8, 7, 6, 6, 6, 6, 6, 6, 6));
        finished.Add(Done(4, 9, 8, 7, 7, 7, 7, 7, 7, 7));
        // Epoch 1 values so far: 4, 5, 7, 8, 9 and the new one: six values, the best two go on.
        Assert.False(pruner.ShouldPrune(5, [4.5], finished));
        Assert.True(pruner.ShouldPrune(5, [5.5], finished));
        // Not a rung: nothing happens; epoch 3 is the next rung.
        Assert.False(pruner.ShouldPrune(5, [4.5, 100], finished));
        Assert.True(pruner.ShouldPrune(5, [4.5, 100, 100], finished));
        // Bracket 1 (trials 9-13, first rung 3) is judged apart from bracket 0.
        Assert.Equal(1, pruner.Bracket(9));
        Assert.False(pruner.ShouldPrune(9, [100, 100, 100], finished));
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using OptDsl.Runtime.Tuning;
using Xunit;

namespace OptDsl.Tests.Tuning;

/// <summary>The search space, the samplers and the median pruner of the tuning runtime, each against its documented rule.</summary>
public sealed class SamplerTests
{
    private static readonly SearchSpace Space = new(
    [
        TuneDimension.LogRange("lr", 1e-4, 1e-1),
        TuneDimension.Range("epochs", 2, 5, isInteger: true),
        TuneDimension.Choice("batch", [16, 32, 64], isInteger: true),
        TuneDimension.Range("lambda", 0, 0.5),
    ]);

    [Fact]
    public void A_dimension_refuses_an_empty_inverted_or_non_positive_range_and_repeated_choices()
    {
        Assert.Throws<ArgumentException>(() => TuneDimension.LogRange("lr", 0, 1));
        Assert.Throws<ArgumentException>(() => TuneDimension.LogRange("lr", 1, 1));
        Assert.Throws<ArgumentException>(() => TuneDimension.Range("x", 2, 1));
        Assert.Throws<ArgumentException>(() => TuneDimension.Range("n", 1.5, 3, isInteger: true));
        Assert.Throws<ArgumentException>(() => TuneDimension.Choice("b", []));
        Assert.Throws<ArgumentException>(() => TuneDimension.Choice("b", [1, 1]));
        Assert.Throws<ArgumentException>(() => TuneDimension.Choice("b", [1, double.NaN]));
        Assert.Throws<ArgumentException>(() => new SearchSpace([TuneDimension.Range("x", 0, 1), TuneDimension.Range("x", 0, 2)]));
    }

    [Fact]
    public void Grid_enumerates_every_combination_once_the_last_dimension_fastest()
    {
        var space = new SearchSpace([TuneDimension.Range("epochs", 2, 4, isInteger: true), TuneDimension.Choice("batch", [16, 64], isInteger: true)]);
        var grid = new GridSampler();
        Assert.Equal(6, grid.TrialCount(space));
        var points = Enumerable.Range(0, 6).Select(k => grid.Parameters(space, k, [])).Select(p => (p[0], p[1])).ToList();
        Assert.Equal(new[] { (2.0, 16.0), (2.0, 64.0), (3.0, 16.0), (3.0, 64.0), (4.0, 16.0), (4.0, 64.0) }, points);
        var e = Assert.Throws<ArgumentException>(() => grid.TrialCount(Space));
        Assert.Contains("lr", e.Message);
    }

    [Fact]
    public void Random_draws_each_trial_from_its_own_seed_within_each_dimension()
    {
        var random = new RandomSampler(trials: 500, seed: 9);
        var all = Enumerable.Range(0, 500).Select(k => random.Parameters(Space, k, [])).ToList();
        // A trial's values depend on its number and the seed only, not on what ran before it.
        Assert.Equal(all[123], new RandomSampler(500, 9).Parameters(Space, 123, []));
        Assert.NotEqual(all[123], new RandomSampler(500, 10).Parameters(Space, 123, []));
        Assert.All(all, p =>
        {
            Assert.InRange(p[0], 1e-4, 1e-1);
            Assert.Contains(p[1], new[] { 2.0, 3, 4, 5 });
            Assert.Contains(p[2], new[] { 16.0, 32, 64 });
            Assert.InRange(p[3], 0, 0.5);
        });
        // Log-uniform: about half the draws below the geometric mean of the ends (1e-2.5); each integer and choice drawn.
        double below = all.Count(p => p[0] < Math.Pow(10, -2.5)) / 500.0;
        Assert.InRange(below, 0.42, 0.58);
        Assert.Equal(4, all.Select(p => p[1]).Distinct().Count());
        Assert.Equal(3, all.Select(p => p[2]).Distinct().Count());
    }

    [Fact]
    public void An_integer_logrange_reaches_both_ends()
    {
        var d = TuneDimension.LogRange("batch", 8, 256, isInteger: true);
        var random = new Random(1);
        var draws = Enumerable.Range(0, 4000).Select(_ => d.Sample(random)).ToList();
        Assert.All(draws, v => Assert.Equal(Math.Floor(v), v));
        Assert.Equal(8, draws.Min());
        Assert.Equal(256, draws.Max());
    }

    private static Trial Complete(int number, params double[] values) => Make(number, TrialState.Complete, values);


    private static Trial Make(int number, TrialState state, double[] values)
    {
        var space = new SearchSpace([TuneDimension.Range("x", 0, 1)]);
        var ctor = typeof(Trial).GetConstructors(System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance).Single();
        return (Trial)ctor.Invoke([number, space, new[] { 0.5 }, (IReadOnlyList<double>)values, values.Length > 0 ? values[^1] : double.NaN, state, TimeSpan.Zero, ""]);
    }

    [Fact]
    public void The_median_pruner_follows_Optunas_rule()
    {
        var pruner = new MedianPruner();
        var four = Enumerable.Range(0, 4).Select(k => Complete(k, 1.0 + k, 0.5 + k)).ToList();
        // Fewer than five complete trials: nothing is pruned.
        Assert.False(pruner.ShouldPrune([100.0], four));
        var five = four.Append(Complete(4, 5.0, 4.5)).ToList();
        // Epoch 1 values of the complete trials: 1, 2, 3, 4, 5 (median 3).
        Assert.False(pruner.ShouldPrune([3.0], five));
        Assert.True(pruner.ShouldPrune([3.000001], five));
        // The trial's best so far counts, not its last value: epoch 2 median is 2.5; best 2.4 stays.
        Assert.False(pruner.ShouldPrune([2.4, 9.0], five));
        Assert.True(pruner.ShouldPrune([2.6, 2.7], five));
        // An even count interpolates the two middle values; pruned and failed trials do not vote.
        var six = five.Append(Complete(5, 6.0)).Append(Make(6, TrialState.Pruned, [0.0])).ToList();
        Assert.Equal(3.5, MedianPruner.Median(six.Where(t => t.State == TrialState.Complete).Select(t => t.EpochValues[0]).ToList()));
        Assert.False(pruner.ShouldPrune([3.5], six));
        Assert.True(pruner.ShouldPrune([3.6], six));
        // An epoch no complete trial reached, or a NaN (no validation), prunes nothing; nor does the warm-up.
        Assert.False(pruner.ShouldPrune([9.0, 9.0, 9.0], five));
        Assert.False(pruner.ShouldPrune([double.NaN], five));
        Assert.False(new MedianPruner { WarmupEpochs = 1 }.ShouldPrune([100.0], five));
    }

    [Fact]
    public void Csv_quotes_cells_with_commas_quotes_and_line_breaks()
    {
        var space = new SearchSpace([TuneDimension.Range("x", 0, 1)]);
        var ctor = typeof(Trial).GetConstructors(System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance).Single();
        var trial = (Trial)ctor.Invoke([0, space, new[] { 0.25 }, (IReadOnlyList<double>)new[] { 1.5, 0.1 + 0.2 }, 0.1 + 0.2, TrialState.Failed, TimeSpan.FromSeconds(1.5), "diverged, \"badly\"\nat epoch 2"]);
        var studyCtor = typeof(Study).GetConstructors(System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance).Single();
        var study = (Study)studyCtor.Invoke(["S", space, "grid", (IReadOnlyList<Trial>)new[] { trial }, false]);
        var writer = new StringWriter();
        study.WriteCsv(writer);
        Assert.Equal("number,state,value,duration_s,epochs,x,epoch_values,message\r\n0,Failed,0.30000000000000004,1.5,2,0.25,1.5;0.30000000000000004,\"diverged, \"\"badly\"\"\nat epoch 2\"\r\n",
            writer.ToString());
        Assert.Null(study.Best);
    }
}

using System;
using System.Collections.Generic;
using System.Linq;

namespace OptDsl.Runtime.Tuning;

/// <summary>Chooses each trial's hyperparameters (<c>search grid</c>, <c>search random(...)</c>).</summary>
public abstract class TrialSampler
{
    private protected TrialSampler()
    {
    }

    /// <summary>The search as written in the tune block.</summary>
    public abstract string Description { get; }

    /// <summary>The number of trials the search runs.</summary>
    public abstract int TrialCount(SearchSpace space);

    /// <summary>The hyperparameters of trial <paramref name="number"/> (0 ≤ number &lt; <see cref="TrialCount"/>), in the order of the space.</summary>
    public abstract double[] Parameters(SearchSpace space, int number, IReadOnlyList<Trial> finished);
}

/// <summary>
/// <c>search grid</c>: every combination of the hyperparameters' values once, the last hyperparameter varying fastest.
/// Each must take finitely many values: a set <c>{...}</c> or an integer <c>range</c>.
/// </summary>
public sealed class GridSampler : TrialSampler
{
    /// <summary>The most combinations a grid may have.</summary>
    public const int MaxTrials = Internal.OptionLimits.MaxTuneTrials;

    public override string Description => "grid";

    public override int TrialCount(SearchSpace space)
    {
        long count = 1;
        foreach (var d in space.Dimensions)
        {
            var values = d.GridValues ?? throw new ArgumentException($"grid needs finitely many values of '{d.Name}' ({d}): give a set {{...}} or an integer range.");
            count *= values.Count;
            if (count > MaxTrials) throw new ArgumentException($"The grid has more than {MaxTrials:N0} combinations.");
        }
        return (int)count;
    }

    public override double[] Parameters(SearchSpace space, int number, IReadOnlyList<Trial> finished)
    {
        var result = new double[space.Dimensions.Count];
        int rest = number;
        for (int i = result.Length - 1; i >= 0; i--)
        {
            var values = space.Dimensions[i].GridValues!;
            result[i] = values[rest % values.Count];
            rest /= values.Count;
        }
        return result;
    }
}

/// <summary>
/// <c>search random(trials, seed)</c>: each hyperparameter drawn independently from its distribution. Trial k draws from
/// its own generator, seeded from <see cref="Seed"/> and k, so a trial's hyperparameters do not depend on how many ran
/// before it or where.
/// </summary>
public sealed class RandomSampler : TrialSampler
{
    public RandomSampler(int trials, int seed = 0)
    {
        if (trials < 1) throw new ArgumentOutOfRangeException(nameof(trials), trials, "random needs at least one trial.");
        Trials = trials;
        Seed = seed;
    }

    public int Trials { get; }

    public int Seed { get; }

    public override string Description => $"random(trials: {Trials}, seed: {Seed})";

    public override int TrialCount(SearchSpace space) => Trials;

    public override double[] Parameters(SearchSpace space, int number, IReadOnlyList<Trial> finished) => Draw(space, Generator(Seed, number));

    /// <summary>Trial <paramref name="number"/>'s own generator, seeded from the search's seed and the number (also TPE's).</summary>
    internal static Random Generator(int seed, int number) => new(unchecked(seed * 1_000_003 + number));

    /// <summary>Each hyperparameter drawn independently from its distribution, in the order of the space.</summary>
    internal static double[] Draw(SearchSpace space, Random random) => space.Dimensions.Select(d => d.Sample(random)).ToArray();
}

using System;
using System.Collections.Generic;
using System.Linq;

namespace OptDsl.Runtime.Tuning;

/// <summary>Stops unpromising trials after an epoch (<c>prune: median</c>, the successive halving of <c>hyperband</c>).</summary>
public abstract class TrialPruner
{
    private protected TrialPruner()
    {
    }

    /// <summary>The pruner as written in the tune block.</summary>
    public abstract string Description { get; }

    /// <summary>
    /// True when trial <paramref name="number"/>, whose validation losses after each epoch so far are
    /// <paramref name="values"/>, should stop now; <paramref name="finished"/> are the trials that ended before it.
    /// </summary>
    public abstract bool ShouldPrune(int number, IReadOnlyList<double> values, IReadOnlyList<Trial> finished);
}

/// <summary>
/// <c>prune: median</c>, Optuna's <c>MedianPruner</c> with its defaults: after an epoch, a trial stops when the best
/// validation loss it has reached so far is worse than the median of the completed trials' losses at that same epoch.
/// It waits for <see cref="StartupTrials"/> complete trials (5) and prunes no trial before epoch
/// <see cref="WarmupEpochs"/> + 1 (0: from the first epoch on). An epoch without a validation loss (NaN: a full-batch
/// optimizer reports one at its end only) prunes nothing; a diverged training is a failed trial anyway.
/// </summary>
public sealed class MedianPruner : TrialPruner
{
    public int StartupTrials { get; init; } = 5;

    public int WarmupEpochs { get; init; }

    public override string Description => "median";

    public override bool ShouldPrune(int number, IReadOnlyList<double> values, IReadOnlyList<Trial> finished) => ShouldPrune(values, finished);

    /// <summary>True when a trial whose per-epoch values so far are <paramref name="values"/> should stop after its last epoch.</summary>
    public bool ShouldPrune(IReadOnlyList<double> values, IReadOnlyList<Trial> finished)
    {
        if (values.Count == 0) return false;
        int step = values.Count - 1;
        if (double.IsNaN(values[step])) return false;
        var complete = finished.Where(t => t.State == TrialState.Complete).ToList();
        if (complete.Count < StartupTrials || step < WarmupEpochs) return false;
        double best = values.Where(v => !double.IsNaN(v)).Min();
        var others = complete.Where(t => t.EpochValues.Count > step && !double.IsNaN(t.EpochValues[step])).Select(t => t.EpochValues[step]).ToList();
        if (others.Count == 0) return false;
        return best > Median(others);
    }

    /// <summary>The median with linear interpolation between the two middle values (numpy's percentile 50).</summary>
    internal static double Median(List<double> values)
    {
        values.Sort();
        int n = values.Count;
        return n % 2 == 1 ? values[n / 2] : values[n / 2 - 1] + 0.5 * (values[n / 2] - values[n / 2 - 1]);
    }
}

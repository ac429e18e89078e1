using System;
using System.Collections.Generic;
using System.Linq;

namespace OptDsl.Runtime.Tuning;

/// <summary>How a trial ended.</summary>
public enum TrialState
{
    /// <summary>Trained to its end; <see cref="Trial.Value"/> is the validation loss of the weights training returned.</summary>
    Complete,

    /// <summary>Stopped early by the pruner (its per-epoch validation loss was worse than the other trials' at the same epoch).</summary>
    Pruned,

    /// <summary>Training diverged, threw, or was cancelled: the trial has no value (see <see cref="Trial.Message"/>).</summary>
    Failed,
}

/// <summary>One training run of a search, at one point of the search space.</summary>
public sealed class Trial
{
    internal Trial(int number, SearchSpace space, double[] parameters, IReadOnlyList<double> epochValues, double value, TrialState state,
                   TimeSpan duration, string message)
    {
        Number = number;
        Space = space;
        ParameterValues = parameters;
        EpochValues = epochValues;
        Value = value;
        State = state;
        Duration = duration;
        Message = message;
    }

    /// <summary>0 for the first trial of the study.</summary>
    public int Number { get; }

    public SearchSpace Space { get; }

    /// <summary>The hyperparameters, in the order of <see cref="SearchSpace.Dimensions"/>.</summary>
    public IReadOnlyList<double> ParameterValues { get; }

    /// <summary>The hyperparameters by name.</summary>
    public IReadOnlyDictionary<string, double> Parameters =>
        Space.Dimensions.Select((d, i) => (d.Name, Value: ParameterValues[i])).ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);

    /// <summary>The validation data loss after each epoch (the loss without its penalty), in order; one entry for a full-batch optimizer.</summary>
    public IReadOnlyList<double> EpochValues { get; }

    /// <summary>
    /// The validation data loss of the weights the trial's training returned (those of the best epoch with
    /// <c>restore_best</c>, else of the last); for a pruned trial, the last epoch's; NaN for a failed one.
    /// </summary>
    public double Value { get; }

    public TrialState State { get; }

    /// <summary>The wall-clock time of the trial's training.</summary>
    public TimeSpan Duration { get; }

    /// <summary>How training ended, in a sentence.</summary>
    public string Message { get; }

    public override string ToString() =>
        $"trial {Number}: {State}, value {Value:G6} ({string.Join(", ", Space.Dimensions.Select((d, i) => $"{d.Name} = {TuneDimension.Format(ParameterValues[i])}"))})";
}

using System;
using System.Collections.Generic;

namespace OptDsl.Runtime.Training;

/// <summary>Why <see cref="Trainer.Fit{TData}"/> returned.</summary>
public enum StopReason
{
    /// <summary>Every epoch ran.</summary>
    EpochsDone,

    /// <summary>The monitored loss did not improve for <see cref="EarlyStopping.Patience"/> epochs.</summary>
    EarlyStop,

    /// <summary>The cancellation token was cancelled; the parameters are those after the last full batch.</summary>
    Cancelled,

    /// <summary>A loss or gradient became NaN or infinite; the parameters are those before the batch where it happened.</summary>
    Diverged,

    /// <summary>A full-batch solve (lbfgs, newton) verified optimality: the gradient of the training loss met its tolerance.</summary>
    Converged,

    /// <summary>A full-batch solve stopped without verifying optimality (iteration limit, stalled line search...): see <see cref="TrainingReport.Solve"/>.</summary>
    NotConverged,
}

/// <summary>One epoch of training.</summary>
/// <param name="Epoch">1 for the first epoch.</param>
/// <param name="TrainingLoss">The mean per-sample loss over the epoch's batches, each at the parameters it was computed at (no extra pass).</param>
/// <param name="ValidationLoss">The mean loss over the validation data after the epoch, or NaN without validation data.</param>
/// <param name="LearningRate">The rate of the epoch's first batch.</param>
/// <param name="Elapsed">Time since <c>Fit</c> started, at the end of the epoch.</param>
/// <param name="ValidationDataLoss">The validation loss without the terms of the loss that read no sample (the
/// regularization penalty, the same for every row): the measure of fit that tune blocks minimize; NaN without validation
/// data. Equal to <paramref name="ValidationLoss"/> for a loss without a penalty.</param>
public readonly record struct EpochInfo(int Epoch, double TrainingLoss, double ValidationLoss, double LearningRate, TimeSpan Elapsed,
                                        double ValidationDataLoss = double.NaN);

/// <summary>What a training run did, epoch by epoch.</summary>
public sealed class TrainingReport
{
    internal TrainingReport(IReadOnlyList<EpochInfo> epochs, int bestEpoch, StopReason stopReason, string message, SolveResult? solve = null)
    {
        Epochs = epochs;
        BestEpoch = bestEpoch;
        StopReason = stopReason;
        Message = message;
        Solve = solve;
    }

    /// <summary>The solver's own result for a full-batch optimizer (lbfgs, newton), with its status and history; null for update rules.</summary>
    public SolveResult? Solve { get; }

    /// <summary>Every completed epoch, in order.</summary>
    public IReadOnlyList<EpochInfo> Epochs { get; }

    /// <summary>The epoch with the lowest monitored loss (validation loss when there is validation data, else training loss); 0 if none completed.</summary>
    public int BestEpoch { get; }

    public StopReason StopReason { get; }

    /// <summary>One sentence on how the run ended.</summary>
    public string Message { get; }

    public override string ToString() => $"{StopReason} after {Epochs.Count} epochs (best {BestEpoch}): {Message}";
}

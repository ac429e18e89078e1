using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using OptDsl.Runtime.Internal;

namespace OptDsl.Runtime.Training;

/// <summary>
/// The training loop of a <c>model</c> block: epochs of mini-batches over a permutation of the training rows, an update
/// rule stepped with a schedule's learning rate, optional gradient clipping, validation after each epoch, early
/// stopping, and a report. Deterministic: the same seed, data and starting parameters give the same parameters and
/// report, to the bit.
/// </summary>
/// <remarks>
/// Per batch it calls the model once (loss and gradient over the batch's rows, which are a slice of the permutation:
/// nothing is copied), checks both are finite, clips, steps the rule, and checks the new parameters; per epoch it
/// evaluates the validation loss once. After the first batch it allocates nothing per batch or per epoch (the report's
/// list is sized for every epoch up front).
/// </remarks>
public static class Trainer
{
    /// <summary>
    /// Trains <paramref name="parameters"/> in place. With early stopping and restore_best, the parameters of the best
    /// epoch are put back at the end however the run ended (as Keras 3 does); a diverged run leaves the parameters of
    /// before the failing step, a cancelled one those after the last full batch.
    /// </summary>
    /// <param name="model">The model: batch loss and gradient.</param>
    /// <param name="parameters">The starting parameters, trained in place (a warm start continues from them).</param>
    /// <param name="rule">The update rule, of <paramref name="parameters"/>' length; its state carries over if not reset.</param>
    /// <param name="learningRate">The optimizer's base learning rate.</param>
    /// <param name="schedule">The learning-rate schedule (reset here to <paramref name="learningRate"/>).</param>
    /// <param name="options">Epochs, batch size, shuffle, seed, clipping, early stopping.</param>
    /// <param name="training">The training data.</param>
    /// <param name="validation">Validation data, or default for none (early stopping then watches the training loss).</param>
    /// <param name="progress">Told after each epoch.</param>
    /// <param name="cancellationToken">Checked before each batch.</param>
    public static TrainingReport Fit<TData>(ITrainableModel<TData> model, double[] parameters, UpdateRule rule, double learningRate,
                                            LearningRateSchedule schedule, TrainingOptions options, TData training, TData? validation = default,
                                            IProgress<EpochInfo>? progress = null, CancellationToken cancellationToken = default)
        where TData : class
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        int p = model.ParameterCount;
        if (parameters.Length != p) throw new ArgumentException($"The parameters have {parameters.Length} entries; the model has {p}.", nameof(parameters));
        if (rule.Dimension != p) throw new ArgumentException($"The update rule updates {rule.Dimension} variables; the model has {p} parameters.", nameof(rule));
        if (!Vec.AllFinite(parameters)) throw new ArgumentException("The starting parameters hold NaN or an infinity.", nameof(parameters));
        int n = model.SampleCount(training);
        if (n < 1) throw new ArgumentException("The training data has no samples.", nameof(training));
        bool validating = validation is not null;
        int nValidation = validating ? model.SampleCount(validation!) : 0;
        if (validating && nValidation < 1) throw new ArgumentException("The validation data has no samples.", nameof(validation));

        int batch = options.BatchSize == 0 ? n : Math.Min(options.BatchSize, n);
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        var validationRows = new int[nValidation];
        for (int i = 0; i < nValidation; i++) validationRows[i] = i;
        var random = new Random(options.Seed);
        // Parts of one row or less would only add threads: a batch of b rows uses at most b parts.
        int parts = Math.Min(options.Parallelism, batch);
        using var partition = parts > 1 ? new BatchPartition<TData>(model, parameters, training, order, parts) : null;
        var gradient = new double[p];
        var before = new double[p];
        var early = options.EarlyStopping;
        early?.Reset();
        var best = early is { RestoreBest: true } ? new double[p] : null;
        var epochs = new List<EpochInfo>(options.Epochs);
        double bestLoss = double.PositiveInfinity;
        int bestEpoch = 0;
        var clock = Stopwatch.StartNew();
        schedule.Reset(learningRate);

        StopReason reason = StopReason.EpochsDone;
        string message = $"all {options.Epochs} epochs ran";
        for (int epoch = 1; epoch <= options.Epochs && reason == StopReason.EpochsDone; epoch++)
        {
            if (options.Shuffle) Shuffle(order, random);
            double epochRate = schedule.LearningRate, lossSum = 0;
            for (int start = 0; start < n; start += batch)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    reason = StopReason.Cancelled;
                    message = $"cancelled in epoch {epoch}, before the batch at row {start} of the permutation";
                    break;
                }
                var rows = order.AsSpan(start, Math.Min(batch, n - start));
                double loss = partition is null
                    ? model.BatchLossAndGradient(parameters, training, rows, gradient)
                    : partition.LossAndGradient(start, rows.Length, gradient);
                if (!double.IsFinite(loss) || !Vec.AllFinite(gradient))
                {
                    reason = StopReason.Diverged;
                    message = $"the batch loss or gradient became NaN or infinite in epoch {epoch} (loss {loss}); the parameters are those before that batch";
                    break;
                }
                if (options.ClipNorm > 0) Clip(gradient, options.ClipNorm);
                parameters.AsSpan().CopyTo(before);
                rule.Step(parameters, gradient, schedule.LearningRate);
                if (!Vec.AllFinite(parameters))
                {
                    before.AsSpan().CopyTo(parameters);
                    reason = StopReason.Diverged;
                    message = $"a parameter became NaN or infinite in epoch {epoch} (is the learning rate too large?); the parameters are those before that step";
                    break;
                }
                lossSum += loss * rows.Length;
                schedule.EndBatch();
            }
            if (reason != StopReason.EpochsDone) break;

            double trainingLoss = lossSum / n;
            double validationLoss = validating ? model.BatchLoss(parameters, validation!, validationRows) : double.NaN;
            double monitored = validating ? validationLoss : trainingLoss;
            double validationDataLoss = validating ? validationLoss - model.Penalty(parameters) : double.NaN;
            var info = new EpochInfo(epoch, trainingLoss, validationLoss, epochRate, clock.Elapsed, validationDataLoss);
            epochs.Add(info);
            progress?.Report(info);
            if (early is not null)
            {
                if (early.Record(epoch, monitored) && best is not null) parameters.AsSpan().CopyTo(best);
                bestEpoch = early.BestEpoch;
                if (early.ShouldStop)
                {
                    reason = StopReason.EarlyStop;
                    message = $"no improvement of more than {early.MinDelta} in the {(validating ? "validation" : "training")} loss for {early.Patience} epochs; best epoch {early.BestEpoch}";
                }
            }
            else if (monitored < bestLoss)
            {
                bestLoss = monitored;
                bestEpoch = epoch;
            }
            schedule.EndEpoch(monitored);
        }
        if (best is not null && bestEpoch > 0)
        {
            best.AsSpan().CopyTo(parameters);
            message += $"; the parameters of epoch {bestEpoch} were restored";
        }
        return new TrainingReport(epochs, bestEpoch, reason, message);
    }

    /// <summary>Fisher–Yates from the last position down, with <paramref name="random"/>.Next(k + 1): the documented shuffle.</summary>
    internal static void Shuffle(int[] order, Random random)
    {
        for (int k = order.Length - 1; k > 0; k--)
        {
            int j = random.Next(k + 1);
            (order[k], order[j]) = (order[j], order[k]);
        }
    }

    /// <summary><c>torch.nn.utils.clip_grad_norm_(max_norm)</c>: g ← g·max_norm/(‖g‖₂ + 1e-6) when that factor is below 1.</summary>
    internal static void Clip(Span<double> gradient, double maxNorm)
    {
        double coefficient = maxNorm / (Vec.Norm(gradient) + 1e-6);
        if (coefficient < 1) System.Numerics.Tensors.TensorPrimitives.Multiply(gradient, coefficient, gradient);
    }
}

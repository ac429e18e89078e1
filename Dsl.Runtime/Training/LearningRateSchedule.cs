using System;

namespace OptDsl.Runtime.Training;

/// <summary>
/// A learning-rate schedule, driven the way a training loop drives <c>torch.optim.lr_scheduler</c>: <see cref="Reset"/>
/// with the optimizer's base rate before the first batch, <see cref="LearningRate"/> for every batch,
/// <see cref="EndBatch"/> after each batch and <see cref="EndEpoch"/> after each epoch (with the loss the schedule may
/// watch). Epoch-based schedules (step, exponential, cosine, plateau, warmup) change the rate only at
/// <see cref="EndEpoch"/>; the cyclic schedule changes it every batch, as <c>CyclicLR</c> does.
/// </summary>
/// <remarks>
/// Each schedule's formula is the one documented for its PyTorch counterpart (named on each class); the tests
/// compare the rates step by step with transcriptions of PyTorch's own update rules. A schedule holds no reference to
/// the optimizer and allocates nothing after construction.
/// </remarks>
public abstract class LearningRateSchedule
{
    /// <summary>The optimizer's learning rate before any schedule (set by <see cref="Reset"/>).</summary>
    public double BaseLearningRate { get; private set; } = double.NaN;

    /// <summary>The rate for the next batch.</summary>
    public double LearningRate { get; protected set; } = double.NaN;

    /// <summary>Epochs ended since <see cref="Reset"/>.</summary>
    public int Epoch { get; private set; }

    /// <summary>Batches ended since <see cref="Reset"/>.</summary>
    public long Batch { get; private set; }

    /// <summary>Starts over at <paramref name="baseLearningRate"/> (positive and finite), before the first batch.</summary>
    public void Reset(double baseLearningRate)
    {
        if (!(baseLearningRate > 0) || !double.IsFinite(baseLearningRate))
            throw new ArgumentOutOfRangeException(nameof(baseLearningRate), baseLearningRate, $"{GetType().Name}: the base learning rate must be positive and finite.");
        BaseLearningRate = baseLearningRate;
        Epoch = 0;
        Batch = 0;
        OnReset();
    }

    /// <summary>After each batch.</summary>
    public void EndBatch()
    {
        RequireStarted();
        Batch++;
        OnBatchEnd();
    }

    /// <summary>
    /// After each epoch, with the loss the schedule watches (the validation loss when there is validation data, else the
    /// training loss); only <see cref="PlateauSchedule"/> reads it, and a NaN counts as no improvement there.
    /// </summary>
    public void EndEpoch(double monitoredLoss)
    {
        RequireStarted();
        Epoch++;
        OnEpochEnd(monitoredLoss);
    }

    /// <summary>Sets <see cref="LearningRate"/> for epoch 0, batch 0.</summary>
    protected abstract void OnReset();

    /// <summary>Updates <see cref="LearningRate"/> after a batch (<see cref="Batch"/> already counts it); default: no change.</summary>
    protected virtual void OnBatchEnd()
    {
    }

    /// <summary>Updates <see cref="LearningRate"/> after an epoch (<see cref="Epoch"/> already counts it).</summary>
    protected abstract void OnEpochEnd(double monitoredLoss);

    private void RequireStarted()
    {
        if (double.IsNaN(BaseLearningRate)) throw new InvalidOperationException($"{GetType().Name}: call Reset(baseLearningRate) before the first batch.");
    }

    private protected static double Positive(double value, string name, string schedule) =>
        value > 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(name, value, $"{schedule}: {name} must be positive and finite.");

    private protected static double NonNegative(double value, string name, string schedule) =>
        value >= 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(name, value, $"{schedule}: {name} must be non-negative and finite.");

    private protected static int AtLeastOne(int value, string name, string schedule) =>
        value >= 1 ? value : throw new ArgumentOutOfRangeException(name, value, $"{schedule}: {name} must be at least 1.");
}

/// <summary>The base rate throughout (<c>constant</c>).</summary>
public sealed class ConstantSchedule : LearningRateSchedule
{
    protected override void OnReset() => LearningRate = BaseLearningRate;

    protected override void OnEpochEnd(double monitoredLoss)
    {
    }
}

/// <summary><c>step(step_size, gamma)</c>: the base rate times gamma^⌊epoch / step_size⌋ (PyTorch's <c>StepLR</c>).</summary>
public sealed class StepSchedule(int stepSize, double gamma) : LearningRateSchedule
{
    public int StepSize { get; } = AtLeastOne(stepSize, nameof(stepSize), "step");

    public double Gamma { get; } = Positive(gamma, nameof(gamma), "step");

    protected override void OnReset() => LearningRate = BaseLearningRate;

    protected override void OnEpochEnd(double monitoredLoss) => LearningRate = BaseLearningRate * Math.Pow(Gamma, Epoch / StepSize);
}

/// <summary><c>exponential(gamma)</c>: the base rate times gamma^epoch (PyTorch's <c>ExponentialLR</c>).</summary>
public sealed class ExponentialSchedule(double gamma) : LearningRateSchedule
{
    public double Gamma { get; } = Positive(gamma, nameof(gamma), "exponential");

    protected override void OnReset() => LearningRate = BaseLearningRate;

    protected override void OnEpochEnd(double monitoredLoss) => LearningRate = BaseLearningRate * Math.Pow(Gamma, Epoch);
}

/// <summary>
/// <c>cosine(t_max, eta_min)</c>: η_min + (η₀ − η_min)(1 + cos(π·epoch / t_max)) / 2 (PyTorch's <c>CosineAnnealingLR</c>
/// in its closed form; past t_max the cosine goes on, back up to η₀ at 2·t_max, as PyTorch's does).
/// </summary>
public sealed class CosineSchedule(int tMax, double etaMin = 0) : LearningRateSchedule
{
    public int TMax { get; } = AtLeastOne(tMax, nameof(tMax), "cosine");

    public double EtaMin { get; } = NonNegative(etaMin, nameof(etaMin), "cosine");

    protected override void OnReset() => LearningRate = BaseLearningRate;

    protected override void OnEpochEnd(double monitoredLoss) =>
        LearningRate = EtaMin + (BaseLearningRate - EtaMin) * (1 + Math.Cos(Math.PI * Epoch / TMax)) / 2;
}

/// <summary>
/// <c>cyclic(base_lr, max_lr, step_size)</c>: the triangular policy of PyTorch's <c>CyclicLR</c>, counted in batches: up
/// from base_lr to max_lr over step_size batches, down over the next step_size, and again. It sets the rate itself:
/// the optimizer's base rate is not used.
/// </summary>
public sealed class CyclicSchedule(double baseLr, double maxLr, int stepSize) : LearningRateSchedule
{
    public double BaseLr { get; } = Positive(baseLr, nameof(baseLr), "cyclic");

    public double MaxLr { get; } = maxLr >= baseLr && double.IsFinite(maxLr) ? maxLr
        : throw new ArgumentOutOfRangeException(nameof(maxLr), maxLr, "cyclic: max_lr must be finite and at least base_lr.");

    public int StepSize { get; } = AtLeastOne(stepSize, nameof(stepSize), "cyclic");

    protected override void OnReset() => LearningRate = At(0);

    protected override void OnBatchEnd() => LearningRate = At(Batch);

    protected override void OnEpochEnd(double monitoredLoss)
    {
    }

    private double At(long batch)
    {
        double cycle = Math.Floor(1 + batch / (2.0 * StepSize));
        double x = Math.Abs(batch / (double)StepSize - 2 * cycle + 1);
        return BaseLr + (MaxLr - BaseLr) * Math.Max(0, 1 - x);
    }
}

/// <summary>
/// <c>plateau(factor, patience, min_lr)</c>: PyTorch's <c>ReduceLROnPlateau</c> in mode "min" with a relative threshold:
/// an epoch improves when its loss is below best·(1 − threshold); after more than <see cref="Patience"/> epochs without
/// improvement the rate becomes max(rate·factor, min_lr) (when that changes it by more than <see cref="Eps"/>), and the
/// next <see cref="Cooldown"/> epochs count no bad epochs.
/// </summary>
public sealed class PlateauSchedule(double factor = 0.1, int patience = 10, double minLr = 0, double threshold = 1e-4, int cooldown = 0, double eps = 1e-8)
    : LearningRateSchedule
{
    public double Factor { get; } = factor > 0 && factor < 1 ? factor : throw new ArgumentOutOfRangeException(nameof(factor), factor, "plateau: factor must be in (0, 1).");

    public int Patience { get; } = patience >= 0 ? patience : throw new ArgumentOutOfRangeException(nameof(patience), patience, "plateau: patience must be ≥ 0.");

    public double MinLr { get; } = NonNegative(minLr, nameof(minLr), "plateau");

    public double Threshold { get; } = NonNegative(threshold, nameof(threshold), "plateau");

    public int Cooldown { get; } = cooldown >= 0 ? cooldown : throw new ArgumentOutOfRangeException(nameof(cooldown), cooldown, "plateau: cooldown must be ≥ 0.");

    public double Eps { get; } = NonNegative(eps, nameof(eps), "plateau");

    /// <summary>The best loss so far (∞ before the first epoch).</summary>
    public double Best { get; private set; } = double.PositiveInfinity;

    /// <summary>Epochs since the last improvement, as PyTorch's <c>num_bad_epochs</c>.</summary>
    public int BadEpochs { get; private set; }

    private int _cooldownLeft;

    protected override void OnReset()
    {
        LearningRate = BaseLearningRate;
        Best = double.PositiveInfinity;
        BadEpochs = 0;
        _cooldownLeft = 0;
    }

    protected override void OnEpochEnd(double monitoredLoss)
    {
        if (monitoredLoss < Best * (1 - Threshold))
        {
            Best = monitoredLoss;
            BadEpochs = 0;
        }
        else
        {
            BadEpochs++;
        }
        if (_cooldownLeft > 0)
        {
            _cooldownLeft--;
            BadEpochs = 0;
        }
        if (BadEpochs > Patience)
        {
            double reduced = Math.Max(LearningRate * Factor, MinLr);
            if (LearningRate - reduced > Eps) LearningRate = reduced;
            _cooldownLeft = Cooldown;
            BadEpochs = 0;
        }
    }
}

/// <summary>
/// Linear warmup over the first <see cref="Epochs"/> epochs, composed with any schedule: the inner schedule's rate times
/// (epoch + 1) / warmup during them, then the inner rate unchanged. That is PyTorch's <c>LinearLR(start_factor =
/// 1/warmup, end_factor = 1, total_iters = warmup − 1)</c> chained with the inner scheduler.
/// </summary>
public sealed class WarmupSchedule(LearningRateSchedule inner, int epochs) : LearningRateSchedule
{
    public LearningRateSchedule Inner { get; } = inner ?? throw new ArgumentNullException(nameof(inner));

    public int Epochs { get; } = AtLeastOne(epochs, nameof(epochs), "warmup");

    private double Factor => Math.Min(1.0, (Epoch + 1) / (double)Epochs);

    protected override void OnReset()
    {
        Inner.Reset(BaseLearningRate);
        LearningRate = Inner.LearningRate * Factor;
    }

    protected override void OnBatchEnd()
    {
        Inner.EndBatch();
        LearningRate = Inner.LearningRate * Factor;
    }

    protected override void OnEpochEnd(double monitoredLoss)
    {
        Inner.EndEpoch(monitoredLoss);
        LearningRate = Inner.LearningRate * Factor;
    }
}

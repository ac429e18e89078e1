using System;

namespace OptDsl.Runtime.Training;

/// <summary>The settings of an <c>optimizer</c> block other than the update rule and its learning rate.</summary>
public sealed record TrainingOptions
{
    /// <summary>Passes over the training data (at least 1).</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>Samples per batch; 0 is the whole training set (<c>batch: all</c>). The last batch of an epoch may be smaller.</summary>
    public int BatchSize { get; init; }

    /// <summary>Permute the training rows before each epoch (Fisher–Yates with <see cref="Random"/>(<see cref="Seed"/>)).</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>The seed of the shuffle: the same seed and data give the same run, to the bit.</summary>
    public int Seed { get; init; }

    /// <summary>Clip each batch gradient to this Euclidean norm, as <c>torch.nn.utils.clip_grad_norm_</c>; 0 is off.</summary>
    public double ClipNorm { get; init; }

    /// <summary>
    /// Threads that share each batch (1: the calling thread alone). A batch's rows are cut into this many consecutive
    /// parts of nearly equal size, each part's mean loss and gradient computed on its own thread, and the parts added in
    /// their order, weighted by their sizes: the result depends on the batch and this number only, never on thread
    /// timing (it may differ from a single thread's in the last bits, since the additions are grouped differently).
    /// </summary>
    public int Parallelism { get; init; } = 1;

    /// <summary>Early stopping, or null for none.</summary>
    public EarlyStopping? EarlyStopping { get; init; }

    internal void Validate()
    {
        if (Epochs < 1) throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "epochs must be at least 1.");
        if (BatchSize < 0) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "batch must be at least 1 (or 0 for all).");
        if (Parallelism < 1 || Parallelism > Internal.OptionLimits.MaxParallelism)
            throw new ArgumentOutOfRangeException(nameof(Parallelism), Parallelism, $"parallel must be between 1 and {Internal.OptionLimits.MaxParallelism} threads.");
        if (!(ClipNorm >= 0) || !double.IsFinite(ClipNorm)) throw new ArgumentOutOfRangeException(nameof(ClipNorm), ClipNorm, "clip_norm must be non-negative and finite (0 is off).");
    }
}

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

    /// <summary>Early stopping, or null for none.</summary>
    public EarlyStopping? EarlyStopping { get; init; }

    internal void Validate()
    {
        if (Epochs < 1) throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "epochs must be at least 1.");
        if (BatchSize < 0) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "batch must be at least 1 (or 0 for all).");
        if (!(ClipNorm >= 0) || !double.IsFinite(ClipNorm)) throw new ArgumentOutOfRangeException(nameof(ClipNorm), ClipNorm, "clip_norm must be non-negative and finite (0 is off).");
    }
}

using System.Collections.Generic;
using OptDsl.Compiler.Ir;

namespace OptDsl.Compiler.Semantics;

// The bound model of one model block: a per-sample loss over the weights, split into the part that reads the sample
// and the part that does not (the penalty, computed once per batch), the prediction, and how to train.

/// <summary>A random start of a weight (<c>var W[h, d] = uniform(-0.1, 0.1);</c>), drawn at construction from the seed.</summary>
/// <param name="Kind"><c>uniform</c> (A = low, B = high), <c>normal</c> (A = mean, B = standard deviation) or <c>glorot</c>
/// (Glorot and Bengio's uniform: ±√(6 / (fan_in + fan_out)), A and B unused).</param>
public sealed record RandomStart(string Var, string Kind, double A, double B, string Text);

/// <summary>The schedule of an optimizer block with its options as written (the runtime class's constructor arguments).</summary>
public sealed record BoundSchedule(ScheduleSpec Spec, IReadOnlyList<(OptionSpec Option, object Value)> Options, string Text);

/// <summary>Early stopping as written: <c>early_stop: (patience: 5, min_delta: 1e-4, restore_best: true)</c>.</summary>
public sealed record BoundEarlyStop(int Patience, double MinDelta, bool RestoreBest);

/// <summary>The training settings of an optimizer block, with their defaults filled in (docs/models.md).</summary>
public sealed record TrainingSettings
{
    /// <summary>Rows per batch; 0 is the whole training set (<c>batch: all</c>).</summary>
    public int Batch { get; init; } = 32;
    public int Epochs { get; init; } = 1;
    public bool Shuffle { get; init; } = true;
    public int Seed { get; init; }
    public double ClipNorm { get; init; }
    public int Warmup { get; init; }

    /// <summary>Threads that share each batch (<c>parallel: 4</c>); 1 is the calling thread alone.</summary>
    public int Parallel { get; init; } = 1;
    public BoundSchedule? Schedule { get; init; }
    public BoundEarlyStop? EarlyStop { get; init; }
}

/// <summary>The optimizer: its spec, the options in parentheses (learning rate apart), the training settings.</summary>
public sealed record BoundOptimizer(OptimizerSpec Spec, int Line, string Text, double LearningRate,
                                    IReadOnlyList<(OptionSpec Option, object Value)> Options, TrainingSettings Settings);

/// <summary>A model's prediction for one sample: a scalar, or one value per element of a vector (<see cref="Element"/> over <see cref="Index"/>).</summary>
public sealed record BoundPrediction(Expr? Scalar, IndexVar? Index, Expr? Element, IntExpr? Length, string Text, int Line);

public sealed class BoundModel
{
    public required string Name { get; init; }
    public SourceSpan NameSpan { get; init; }
    public required int Line { get; init; }

    /// <summary>
    /// The per-sample loss as a problem over the weights: its data are the input and the target (one sample; the generated
    /// class reads them from a row), its objective the terms of the loss that read them.
    /// </summary>
    public required BoundProblem Sample { get; init; }

    /// <summary>The terms of the loss that read no sample (regularization): the same for every row, so added once per batch.</summary>
    public required BoundProblem Penalty { get; init; }
    public bool HasPenalty => !Penalty.Objective.IsConst || Penalty.Objective.Value != 0;

    public required DataSymbol Input { get; init; }
    public required DataSymbol Target { get; init; }
    public required BoundPrediction Prediction { get; init; }
    public required string LossText { get; init; }
    public required int LossLine { get; init; }
    public required BoundOptimizer Optimizer { get; init; }
    public required IReadOnlyList<RandomStart> RandomStarts { get; init; }
}

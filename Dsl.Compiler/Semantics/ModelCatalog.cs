using System.Collections.Generic;
using System.Linq;

namespace OptDsl.Compiler.Semantics;

/// <summary>How an optimizer of a model trains.</summary>
public enum TrainingKind
{
    /// <summary>Epochs of mini-batches stepped by an update rule (<c>OptDsl.Runtime.Training.Trainer</c>).</summary>
    UpdateRule,
    /// <summary>One solve on the full training set by a deterministic solver (lbfgs, newton): for convex models.</summary>
    FullBatch,
}

/// <summary>
/// An optimizer of a model (docs/language.md "Models"). <paramref name="ClassName"/> is the runtime update rule
/// (<c>OptDsl.Runtime.*Rule</c>) or, for <see cref="TrainingKind.FullBatch"/>, the solver; each option's
/// <see cref="OptionSpec.Property"/> is the constructor parameter (rules) or property (solvers) it sets.
/// </summary>
public sealed record OptimizerSpec(string Name, string ClassName, TrainingKind Kind, IReadOnlyList<OptionSpec> Options,
                                   IReadOnlyList<FixedSetting>? FixedArguments = null)
{
    public bool IsFullBatch => Kind == TrainingKind.FullBatch;

    /// <summary>Newton needs the loss's Hessian-vector products over the data.</summary>
    public bool NeedsSecondOrder => Name == "newton";
}

/// <summary>
/// A learning-rate schedule: the runtime class (<c>OptDsl.Runtime.Training.*Schedule</c>) and its options; an option
/// without a default must be given (<see cref="Required"/>). <see cref="OptionSpec.Property"/> is the constructor parameter.
/// </summary>
public sealed record ScheduleSpec(string Name, string ClassName, IReadOnlyList<OptionSpec> Options, IReadOnlyList<string> Required);

/// <summary>The optimizers, schedules and training settings of a model's <c>optimizer NAME(...) { ... }</c>.</summary>
public static class ModelCatalog
{
    private static OptionSpec Lr => new("lr", OptionKind.PositiveReal, "learningRate");
    private static OptionSpec Eps => new("eps", OptionKind.PositiveReal, "eps");
    private static OptionSpec WeightDecay => new("weight_decay", OptionKind.NonNegativeReal, "weightDecay");

    public static readonly IReadOnlyList<OptimizerSpec> Optimizers =
    [
        new("sgd", "GradientDescentRule", TrainingKind.UpdateRule, [Lr]),
        new("momentum", "MomentumRule", TrainingKind.UpdateRule,
            [Lr, new("beta", OptionKind.NonNegativeReal, "momentum"), new("dampening", OptionKind.NonNegativeReal, "dampening"), WeightDecay]),
        // Nesterov momentum needs beta > 0 (torch.optim.SGD's rule, enforced by MomentumRule).
        new("nesterov", "MomentumRule", TrainingKind.UpdateRule, [Lr, new("beta", OptionKind.PositiveReal, "momentum"), WeightDecay],
            [new FixedSetting("nesterov", "true")]),
        new("adagrad", "AdagradRule", TrainingKind.UpdateRule,
            [Lr, Eps, WeightDecay, new("lr_decay", OptionKind.NonNegativeReal, "lrDecay"),
             new("initial_accumulator_value", OptionKind.NonNegativeReal, "initialAccumulatorValue")]),
        new("rmsprop", "RmspropRule", TrainingKind.UpdateRule,
            [Lr, Eps, WeightDecay, new("rho", OptionKind.UnitInterval, "alpha"), new("momentum", OptionKind.NonNegativeReal, "momentum"),
             new("centered", OptionKind.Bool, "centered")]),
        new("adam", "AdamRule", TrainingKind.UpdateRule,
            [Lr, Eps, WeightDecay, new("beta1", OptionKind.UnitInterval, "beta1"), new("beta2", OptionKind.UnitInterval, "beta2"),
             new("amsgrad", OptionKind.Bool, "amsgrad")]),
        new("adamw", "AdamWRule", TrainingKind.UpdateRule,
            [Lr, Eps, WeightDecay, new("beta1", OptionKind.UnitInterval, "beta1"), new("beta2", OptionKind.UnitInterval, "beta2"),
             new("amsgrad", OptionKind.Bool, "amsgrad")]),
        new("lbfgs", "LbfgsSolver", TrainingKind.FullBatch,
            [new("memory", OptionKind.PositiveCount, "Memory", Max: Runtime.Internal.OptionLimits.MaxLbfgsMemory), .. FullBatchOptions]),
        new("newton", "NewtonSolver", TrainingKind.FullBatch,
            [new("trust_region", OptionKind.Bool, "TrustRegion"), new("damping", OptionKind.NonNegativeReal, "Damping"), .. FullBatchOptions]),
    ];

    /// <summary>The stopping rules of a full-batch solve (SolveOptions properties).</summary>
    private static OptionSpec[] FullBatchOptions =>
    [
        new("tolerance", OptionKind.NonNegativeReal, "GradientTolerance", OnSolveOptions: true),
        new("max_iter", OptionKind.PositiveCount, "MaxIterations", OnSolveOptions: true),
    ];

    /// <summary>The default learning rate of each update rule: torch.optim's (SGD has none there; 0.01 here).</summary>
    public static double DefaultLearningRate(string optimizer) => optimizer switch
    {
        "adam" or "adamw" => 1e-3,
        "rmsprop" or "adagrad" or "sgd" or "momentum" or "nesterov" => 1e-2,
        _ => double.NaN,
    };

    public static readonly IReadOnlyList<ScheduleSpec> Schedules =
    [
        new("constant", "ConstantSchedule", [], []),
        new("step", "StepSchedule", [new("step_size", OptionKind.PositiveCount, "stepSize"), new("gamma", OptionKind.PositiveReal, "gamma")], ["step_size"]),
        new("exponential", "ExponentialSchedule", [new("gamma", OptionKind.PositiveReal, "gamma")], ["gamma"]),
        new("cosine", "CosineSchedule", [new("t_max", OptionKind.PositiveCount, "tMax"), new("eta_min", OptionKind.NonNegativeReal, "etaMin")], []),
        new("cyclic", "CyclicSchedule",
            [new("base_lr", OptionKind.PositiveReal, "baseLr"), new("max_lr", OptionKind.PositiveReal, "maxLr"), new("step_size", OptionKind.PositiveCount, "stepSize")],
            ["base_lr", "max_lr"]),
        new("plateau", "PlateauSchedule",
            [new("factor", OptionKind.PositiveReal, "factor"), new("patience", OptionKind.Count, "patience"), new("min_lr", OptionKind.NonNegativeReal, "minLr"),
             new("threshold", OptionKind.NonNegativeReal, "threshold"), new("cooldown", OptionKind.Count, "cooldown"), new("eps", OptionKind.NonNegativeReal, "eps")],
            []),
    ];

    /// <summary>The settings in an optimizer's braces.</summary>
    public static readonly IReadOnlyList<string> Settings = ["batch", "epochs", "shuffle", "seed", "schedule", "warmup", "early_stop", "clip_norm", "parallel"];

    /// <summary>The most threads <c>parallel:</c> takes (the runtime's own limit, <c>OptionLimits</c>, compiled into both).</summary>
    public const int MaxParallelism = Runtime.Internal.OptionLimits.MaxParallelism;

    /// <summary>The options of <c>early_stop: (...)</c>.</summary>
    public static readonly IReadOnlyList<OptionSpec> EarlyStopOptions =
    [
        new("patience", OptionKind.PositiveCount, "patience"),
        new("min_delta", OptionKind.NonNegativeReal, "minDelta"),
        new("restore_best", OptionKind.Bool, "restoreBest"),
    ];

    public static OptimizerSpec? FindOptimizer(string name) => Optimizers.FirstOrDefault(o => o.Name == name);

    public static ScheduleSpec? FindSchedule(string name) => Schedules.FirstOrDefault(s => s.Name == name);

    public static string OptimizerNames => string.Join(", ", Optimizers.Select(o => o.Name));

    public static string ScheduleNames => string.Join(", ", Schedules.Select(s => s.Name));
}

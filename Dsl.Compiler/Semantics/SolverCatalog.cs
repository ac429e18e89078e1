using System.Collections.Generic;
using System.Linq;

namespace OptDsl.Compiler.Semantics;

/// <summary>What an option takes; the ranges are the runtime's own (<c>OptionLimits</c>, compiled into both).</summary>
public enum OptionKind
{
    Real,
    PositiveReal,
    NonNegativeReal,
    /// <summary>[0, 1): a decay rate (Adam's β, RMSProp's ρ).</summary>
    UnitInterval,
    /// <summary>A whole number ≥ 0.</summary>
    Count,
    /// <summary>A whole number ≥ 1.</summary>
    PositiveCount,
    Bool,
    Choice,
    /// <summary>Seconds, &gt; 0 and at most <c>OptionLimits.MaxSeconds</c>.</summary>
    Seconds,
}

public enum ProblemKind
{
    /// <summary>Objective and gradient (<c>IGradientProblem</c>).</summary>
    Gradient,
    /// <summary>Also Hessian and Hessian-vector products (<c>ISecondOrderProblem</c>).</summary>
    SecondOrder,
    /// <summary>Residuals and their Jacobian (<c>ILeastSquaresProblem</c>).</summary>
    LeastSquares,
    Constrained,
    DerivativeFree,
}

/// <summary>A solver option: its .opt name, its kind, and where it lands (a property of the solver or of SolveOptions).</summary>
/// <param name="Max">An upper limit (inclusive) beyond the kind's own range, where the runtime has one.</param>
/// <param name="Min">A lower limit (inclusive) beyond the kind's own range, where the runtime has one.</param>
public sealed record OptionSpec(string Name, OptionKind Kind, string Property, bool OnSolveOptions = false, string[]? Choices = null, string? ChoiceType = null, double? Max = null, double? Min = null);

/// <summary>A property of the runtime solver class that a solver of the language always sets (nesterov is MomentumSolver with Nesterov = true).</summary>
public sealed record FixedSetting(string Property, string CSharpValue);

/// <summary>A solver of docs/language.md "Solvers": which runtime class implements it and what it needs.</summary>
/// <param name="FixedSettings">Properties set on every instance before the .opt's own options (written first).</param>
public sealed record SolverSpec(string Name, string? ClassName, ProblemKind Kind, bool SupportsBounds, IReadOnlyList<OptionSpec> Options,
                                string? NotBuiltReason = null, IReadOnlyList<FixedSetting>? FixedSettings = null)
{
    public bool IsBuilt => NotBuiltReason is null;
    public bool UsesDerivatives => Kind is not ProblemKind.DerivativeFree;

    /// <summary>The runtime interface the solver's Minimize takes: the generated class is cast to it.</summary>
    public string ProblemInterface => Kind switch
    {
        ProblemKind.LeastSquares => "ILeastSquaresProblem",
        ProblemKind.SecondOrder => "ISecondOrderProblem",
        ProblemKind.Constrained => "IConstrainedProblem",
        ProblemKind.DerivativeFree => "IObjectiveProblem",
        _ => "IGradientProblem",
    };

    /// <summary>Population methods need finite bounds on every variable (docs/language.md "Solvers").</summary>
    public bool NeedsFiniteBounds { get; init; }
}

/// <summary>The solvers the language names, with their options. Runtime classes live in Dsl.Runtime.</summary>
public static class SolverCatalog
{
    // Every tolerance option (tolerance, acceptable_tol, step_tol, f_tol, cg_tol) is non-negative: 0 turns its test off (docs/solvers.md).
    public static readonly OptionSpec[] Common =
    [
        new("tolerance", OptionKind.NonNegativeReal, "GradientTolerance", OnSolveOptions: true),
        new("acceptable_tol", OptionKind.NonNegativeReal, "AcceptableTolerance", OnSolveOptions: true),
        new("step_tol", OptionKind.NonNegativeReal, "StepTolerance", OnSolveOptions: true),
        new("f_tol", OptionKind.NonNegativeReal, "FunctionTolerance", OnSolveOptions: true),
        new("max_iter", OptionKind.Count, "MaxIterations", OnSolveOptions: true),
        new("max_evals", OptionKind.Count, "MaxEvaluations", OnSolveOptions: true),
        new("seed", OptionKind.Count, "Seed", OnSolveOptions: true),
        new("time_limit_s", OptionKind.Seconds, "TimeLimit", OnSolveOptions: true),
    ];

    private static OptionSpec Lr => new("lr", OptionKind.PositiveReal, "LearningRate");
    private static OptionSpec Eps => new("eps", OptionKind.PositiveReal, "Eps");
    private static OptionSpec WeightDecay => new("weight_decay", OptionKind.NonNegativeReal, "WeightDecay");

    private static SolverSpec Make(string name, string? cls, ProblemKind kind, bool bounds, params OptionSpec[] options) =>
        new(name, cls, kind, bounds, options.Concat(Common).ToList());

    private static SolverSpec Later(string name, ProblemKind kind, string reason, params OptionSpec[] options) =>
        new(name, null, kind, true, options.Concat(Common).ToList(), reason);

    private static SolverSpec With(SolverSpec spec, params FixedSetting[] settings) => spec with { FixedSettings = settings };

    private static OptionSpec Count(string name) => new(name, OptionKind.Count, name);

    /// <summary>
    /// The local solver that refines a derivative-free method's best point (the contract's <c>polish: lbfgs</c>): one that
    /// keeps to the bounds, since population methods always have them.
    /// </summary>
    private static OptionSpec Polish => new("polish", OptionKind.Choice, "Polish", Choices: ["lbfgs", "bfgs", "gd"], ChoiceType: "InnerSolver");

    /// <summary>Threads that evaluate a population at once (the same values as one thread).</summary>
    private static OptionSpec Parallel => new("parallel", OptionKind.PositiveCount, "Parallelism", Max: Runtime.Internal.OptionLimits.MaxParallelism);

    public static readonly IReadOnlyList<SolverSpec> All =
    [
        Make("gd", "GradientDescentSolver", ProblemKind.Gradient, true, Lr,
            new OptionSpec("line_search", OptionKind.Choice, "LineSearch", Choices: ["armijo", "none"], ChoiceType: "LineSearchKind")),
        Make("momentum", "MomentumSolver", ProblemKind.Gradient, true, Lr, new OptionSpec("beta", OptionKind.NonNegativeReal, "Momentum"),
            new OptionSpec("dampening", OptionKind.NonNegativeReal, "Dampening"), WeightDecay),
        // Nesterov momentum needs beta > 0 (torch.optim.SGD's rule, enforced by MomentumSolver).
        With(Make("nesterov", "MomentumSolver", ProblemKind.Gradient, true, Lr, new OptionSpec("beta", OptionKind.PositiveReal, "Momentum"), WeightDecay),
            new FixedSetting("Nesterov", "true")),
        Make("adagrad", "AdagradSolver", ProblemKind.Gradient, true, Lr, Eps, WeightDecay,
            new OptionSpec("lr_decay", OptionKind.NonNegativeReal, "LrDecay"),
            new OptionSpec("initial_accumulator_value", OptionKind.NonNegativeReal, "InitialAccumulatorValue")),
        Make("rmsprop", "RmspropSolver", ProblemKind.Gradient, true, Lr, Eps, WeightDecay,
            new OptionSpec("rho", OptionKind.UnitInterval, "Alpha"),
            new OptionSpec("momentum", OptionKind.NonNegativeReal, "MomentumFactor"),
            new OptionSpec("centered", OptionKind.Bool, "Centered")),
        Make("adam", "AdamSolver", ProblemKind.Gradient, true, Lr, Eps, WeightDecay,
            new OptionSpec("beta1", OptionKind.UnitInterval, "Beta1"), new OptionSpec("beta2", OptionKind.UnitInterval, "Beta2"),
            new OptionSpec("amsgrad", OptionKind.Bool, "Amsgrad")),
        Make("adamw", "AdamWSolver", ProblemKind.Gradient, true, Lr, Eps, WeightDecay,
            new OptionSpec("beta1", OptionKind.UnitInterval, "Beta1"), new OptionSpec("beta2", OptionKind.UnitInterval, "Beta2"),
            new OptionSpec("amsgrad", OptionKind.Bool, "Amsgrad")),
        Make("newton", "NewtonSolver", ProblemKind.SecondOrder, false,
            new OptionSpec("trust_region", OptionKind.Bool, "TrustRegion"), new OptionSpec("damping", OptionKind.NonNegativeReal, "Damping")),
        Make("bfgs", "BfgsSolver", ProblemKind.Gradient, true),
        Make("lbfgs", "LbfgsSolver", ProblemKind.Gradient, true, new OptionSpec("memory", OptionKind.PositiveCount, "Memory", Max: Runtime.Internal.OptionLimits.MaxLbfgsMemory)),
        Make("newton_cg", "NewtonCgSolver", ProblemKind.SecondOrder, false, new OptionSpec("cg_tol", OptionKind.NonNegativeReal, "CgTolerance")),
        Make("lm", "LevenbergMarquardtSolver", ProblemKind.LeastSquares, true, new OptionSpec("lambda0", OptionKind.PositiveReal, "InitialDamping")),
        Make("auglag", "AugmentedLagrangianSolver", ProblemKind.Constrained, true,
            new OptionSpec("inner", OptionKind.Choice, "Inner", Choices: ["lbfgs", "bfgs", "newton", "newton_cg", "gd"], ChoiceType: "InnerSolver"),
            new OptionSpec("rho", OptionKind.PositiveReal, "InitialPenalty"), new OptionSpec("scaling", OptionKind.Bool, "Scaling")),
        Make("ipm", "InteriorPointSolver", ProblemKind.Constrained, true, new OptionSpec("mu0", OptionKind.PositiveReal, "InitialBarrier"),
            new OptionSpec("scaling", OptionKind.Bool, "Scaling")),
        Make("nelder_mead", "NelderMeadSolver", ProblemKind.DerivativeFree, true,
            new OptionSpec("simplex_tol", OptionKind.NonNegativeReal, "SimplexTolerance"), new OptionSpec("restarts", OptionKind.Count, "Restarts"), Polish),
        Make("ga", "GeneticSolver", ProblemKind.DerivativeFree, true,
            new OptionSpec("population", OptionKind.PositiveCount, "Population", Max: Runtime.Internal.OptionLimits.MaxPopulation, Min: 4),
            new OptionSpec("generations", OptionKind.PositiveCount, "Generations"),
            new OptionSpec("mutation", OptionKind.NonNegativeReal, "Mutation", Max: 1), new OptionSpec("crossover", OptionKind.NonNegativeReal, "Crossover", Max: 1),
            Parallel, Polish) with { NeedsFiniteBounds = true },
        Make("anneal", "AnnealingSolver", ProblemKind.DerivativeFree, true,
            new OptionSpec("temperature", OptionKind.PositiveReal, "Temperature"), new OptionSpec("cooling", OptionKind.PositiveReal, "Cooling", Max: 1),
            new OptionSpec("reheats", OptionKind.Count, "Reheats"), Polish) with { NeedsFiniteBounds = true },
        Make("pso", "ParticleSwarmSolver", ProblemKind.DerivativeFree, true,
            new OptionSpec("particles", OptionKind.PositiveCount, "Particles", Max: Runtime.Internal.OptionLimits.MaxPopulation, Min: 2),
            new OptionSpec("inertia", OptionKind.UnitInterval, "Inertia"), new OptionSpec("acceleration", OptionKind.PositiveReal, "Acceleration"),
            new OptionSpec("topology", OptionKind.Choice, "Topology", Choices: ["global", "ring"], ChoiceType: "SwarmTopology"),
            new OptionSpec("restarts", OptionKind.Count, "Restarts"), Parallel, Polish) with { NeedsFiniteBounds = true },
        Make("bayes", "BayesSolver", ProblemKind.DerivativeFree, true,
            new OptionSpec("trials", OptionKind.PositiveCount, "Trials", Max: Runtime.Internal.OptionLimits.MaxBayesTrials, Min: 2),
            new OptionSpec("acquisition", OptionKind.Choice, "Acquisition", Choices: ["ei", "ucb", "pi"], ChoiceType: "Acquisition"), Polish) with { NeedsFiniteBounds = true },
        Make("cmaes", "CmaesSolver", ProblemKind.DerivativeFree, true,
            new OptionSpec("sigma0", OptionKind.PositiveReal, "Sigma0"), new OptionSpec("population", OptionKind.PositiveCount, "Population", Max: Runtime.Internal.OptionLimits.MaxPopulation, Min: 2),
            new OptionSpec("restarts", OptionKind.Count, "Restarts"),
            Parallel, Polish) with { NeedsFiniteBounds = true },
        Make("replica_exchange", "ReplicaExchangeSolver", ProblemKind.DerivativeFree, true,
            new OptionSpec("replicas", OptionKind.PositiveCount, "Replicas", Max: Runtime.Internal.OptionLimits.MaxPopulation, Min: 2),
            new OptionSpec("temperature", OptionKind.PositiveReal, "Temperature"), Parallel, Polish) with { NeedsFiniteBounds = true },
    ];

    /// <summary>
    /// The solver of a problem without a solver line (docs/language.md): ipm with constraints, nelder_mead when the
    /// objective is not differentiable, else lbfgs.
    /// </summary>
    public static SolverSpec Default(bool constrained, bool nonSmooth) => Find(constrained ? "ipm" : nonSmooth ? "nelder_mead" : "lbfgs")!;

    public static SolverSpec? Find(string name) => All.FirstOrDefault(s => s.Name == name);

    public static string Names => string.Join(", ", All.Select(s => s.Name));
}

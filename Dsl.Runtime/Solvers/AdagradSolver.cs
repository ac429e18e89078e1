using OptDsl.Runtime.Internal;

namespace OptDsl.Runtime;

/// <summary>
/// Adagrad (<c>.opt</c> name <c>adagrad</c>), exactly torch.optim.Adagrad's update (<see cref="AdagradRule"/>):
/// g ← ∇f(x) + λx; γ̃ = γ / (1 + (t − 1)η); s ← s + g²; x ← x − γ̃·g / (√s + ε), followed by projection into the box.
/// </summary>
public sealed class AdagradSolver : Solver<IGradientProblem>
{
    /// <summary>γ (<c>lr</c>), default 0.01.</summary>
    public double LearningRate { get; set; } = 0.01;

    /// <summary>η, learning-rate decay, default 0.</summary>
    public double LrDecay { get; set; }

    /// <summary>λ, coupled L2 weight decay, default 0.</summary>
    public double WeightDecay { get; set; }

    /// <summary>Initial value of the squared-gradient sum s, default 0.</summary>
    public double InitialAccumulatorValue { get; set; }

    /// <summary>ε (<c>eps</c>), default 1e−10.</summary>
    public double Eps { get; set; } = 1e-10;

    /// <summary><c>adagrad</c>.</summary>
    public override string Name => "adagrad";

    private protected override void CheckSettings()
    {
        Arguments.Positive(LearningRate, nameof(LearningRate), Name);
        Arguments.NonNegative(LrDecay, nameof(LrDecay), Name);
        Arguments.NonNegative(WeightDecay, nameof(WeightDecay), Name);
        Arguments.NonNegative(InitialAccumulatorValue, nameof(InitialAccumulatorValue), Name);
        Arguments.NonNegative(Eps, nameof(Eps), Name);
    }

    private protected override SolveResult Solve(IGradientProblem problem, double[] x, Box box, IterationMonitor monitor) =>
        FirstOrderLoop.Run(new AdagradRule(x.Length, LrDecay, WeightDecay, InitialAccumulatorValue, Eps), LearningRate, problem, x, box, monitor);
}

using System;
using OptDsl.Runtime.Internal;

namespace OptDsl.Runtime;

/// <summary>
/// Heavy-ball and Nesterov momentum (<c>.opt</c> names <c>momentum</c>, <c>nesterov</c>), exactly torch.optim.SGD's update
/// (<see cref="MomentumRule"/>): g ← ∇f(x) + λx; b ← g on the first step, else b ← μb + (1 − τ)g; g ← g + μb (Nesterov)
/// or g ← b; x ← x − γg, followed by projection into the box.
/// </summary>
public sealed class MomentumSolver : Solver<IGradientProblem>
{
    /// <summary>γ (<c>lr</c>), default 0.01.</summary>
    public double LearningRate { get; set; } = 0.01;

    /// <summary>μ (<c>beta</c>), default 0.9.</summary>
    public double Momentum { get; set; } = 0.9;

    /// <summary>Nesterov momentum (set by <c>nesterov</c>).</summary>
    public bool Nesterov { get; set; }

    /// <summary>τ, default 0.</summary>
    public double Dampening { get; set; }

    /// <summary>λ, coupled L2 weight decay, default 0.</summary>
    public double WeightDecay { get; set; }

    /// <summary><c>nesterov</c> when <see cref="Nesterov"/> is set, else <c>momentum</c>.</summary>
    public override string Name => Nesterov ? "nesterov" : "momentum";

    private protected override void CheckSettings()
    {
        Arguments.Positive(LearningRate, nameof(LearningRate), Name);
        Arguments.NonNegative(Momentum, nameof(Momentum), Name);
        Arguments.NonNegative(Dampening, nameof(Dampening), Name);
        Arguments.NonNegative(WeightDecay, nameof(WeightDecay), Name);
        if (Nesterov && (Momentum <= 0 || Dampening != 0))
            throw new ArgumentException($"{Name}: Nesterov momentum requires Momentum > 0 and Dampening = 0 (as torch.optim.SGD).", nameof(Nesterov));
    }

    private protected override SolveResult Solve(IGradientProblem problem, double[] x, Box box, IterationMonitor monitor) =>
        FirstOrderLoop.Run(new MomentumRule(x.Length, Momentum, Dampening, WeightDecay, Nesterov), LearningRate, problem, x, box, monitor);
}

using OptDsl.Runtime.Internal;

namespace OptDsl.Runtime;

/// <summary>
/// AdamW (<c>.opt</c> name <c>adamw</c>), exactly torch.optim.AdamW's update (<see cref="AdamWRule"/>): x ← x − γλx (decoupled
/// weight decay), then Adam's moment update with the plain gradient; then projection into the box.
/// </summary>
public sealed class AdamWSolver : Solver<IGradientProblem>
{
    /// <summary>γ (<c>lr</c>), default 0.001.</summary>
    public double LearningRate { get; set; } = 0.001;

    /// <summary>β₁ (<c>beta1</c>), default 0.9.</summary>
    public double Beta1 { get; set; } = 0.9;

    /// <summary>β₂ (<c>beta2</c>), default 0.999.</summary>
    public double Beta2 { get; set; } = 0.999;

    /// <summary>ε (<c>eps</c>), default 1e−8.</summary>
    public double Eps { get; set; } = 1e-8;

    /// <summary>λ, decoupled weight decay, default 0.01.</summary>
    public double WeightDecay { get; set; } = 0.01;

    /// <summary>Use the AMSGrad variant, default false.</summary>
    public bool Amsgrad { get; set; }

    /// <summary><c>adamw</c>.</summary>
    public override string Name => "adamw";

    private protected override void CheckSettings() => AdamSolver.CheckAdamSettings(Name, LearningRate, Beta1, Beta2, Eps, WeightDecay);

    private protected override SolveResult Solve(IGradientProblem problem, double[] x, Box box, IterationMonitor monitor) =>
        FirstOrderLoop.Run(new AdamWRule(x.Length, Beta1, Beta2, Eps, WeightDecay, Amsgrad), LearningRate, problem, x, box, monitor);
}

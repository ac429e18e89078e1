using OptDsl.Runtime.Internal;

namespace OptDsl.Runtime;

/// <summary>
/// Adam (<c>.opt</c> name <c>adam</c>), exactly torch.optim.Adam's update (<see cref="AdamRule"/>): g ← ∇f(x) + λx (coupled L2);
/// m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²; with AMSGrad v_max ← max(v_max, v) replaces v below;
/// x ← x − (γ/(1 − β₁ᵗ))·m / (√v/√(1 − β₂ᵗ) + ε); then projection into the box.
/// (AMSGrad keeps the maximum of the raw second moment and bias-corrects it at the current step, as torch's
/// implementation and current documentation do.)
/// </summary>
public sealed class AdamSolver : Solver<IGradientProblem>
{
    /// <summary>γ (<c>lr</c>), default 0.001.</summary>
    public double LearningRate { get; set; } = 0.001;

    /// <summary>β₁ (<c>beta1</c>), default 0.9.</summary>
    public double Beta1 { get; set; } = 0.9;

    /// <summary>β₂ (<c>beta2</c>), default 0.999.</summary>
    public double Beta2 { get; set; } = 0.999;

    /// <summary>ε (<c>eps</c>), default 1e−8.</summary>
    public double Eps { get; set; } = 1e-8;

    /// <summary>λ, coupled L2 weight decay added to the gradient, default 0.</summary>
    public double WeightDecay { get; set; }

    /// <summary>Use the AMSGrad variant, default false.</summary>
    public bool Amsgrad { get; set; }

    /// <summary><c>adam</c>.</summary>
    public override string Name => "adam";

    private protected override void CheckSettings() => CheckAdamSettings(Name, LearningRate, Beta1, Beta2, Eps, WeightDecay);

    private protected override SolveResult Solve(IGradientProblem problem, double[] x, Box box, IterationMonitor monitor) =>
        FirstOrderLoop.Run(new AdamRule(x.Length, Beta1, Beta2, Eps, WeightDecay, Amsgrad), LearningRate, problem, x, box, monitor);

    /// <summary>The checks of Adam's and AdamW's settings.</summary>
    internal static void CheckAdamSettings(string name, double lr, double beta1, double beta2, double eps, double weightDecay)
    {
        Arguments.Positive(lr, "LearningRate", name);
        Arguments.InUnitInterval(beta1, "Beta1", name);
        Arguments.InUnitInterval(beta2, "Beta2", name);
        Arguments.NonNegative(eps, "Eps", name);
        Arguments.NonNegative(weightDecay, "WeightDecay", name);
    }
}

using OptDsl.Runtime.Internal;

namespace OptDsl.Runtime;

/// <summary>
/// RMSprop (<c>.opt</c> name <c>rmsprop</c>), exactly torch.optim.RMSprop's update (<see cref="RmspropRule"/>): g ← ∇f(x) + λx;
/// v ← αv + (1 − α)g²; centered: ḡ ← αḡ + (1 − α)g and ṽ = v − ḡ², else ṽ = v;
/// with momentum μ &gt; 0: b ← μb + g/(√ṽ + ε), x ← x − γb; else x ← x − γg/(√ṽ + ε); then projection into the box.
/// </summary>
public sealed class RmspropSolver : Solver<IGradientProblem>
{
    /// <summary>γ (<c>lr</c>), default 0.01.</summary>
    public double LearningRate { get; set; } = 0.01;

    /// <summary>α, the smoothing constant (<c>rho</c>), default 0.99.</summary>
    public double Alpha { get; set; } = 0.99;

    /// <summary>ε (<c>eps</c>), default 1e−8.</summary>
    public double Eps { get; set; } = 1e-8;

    /// <summary>λ, coupled L2 weight decay, default 0.</summary>
    public double WeightDecay { get; set; }

    /// <summary>μ, momentum, default 0.</summary>
    public double MomentumFactor { get; set; }

    /// <summary>Normalize by the estimated variance instead of the second moment, default false.</summary>
    public bool Centered { get; set; }

    /// <summary><c>rmsprop</c>.</summary>
    public override string Name => "rmsprop";

    private protected override void CheckSettings()
    {
        Arguments.Positive(LearningRate, nameof(LearningRate), Name);
        Arguments.InUnitInterval(Alpha, nameof(Alpha), Name);
        Arguments.NonNegative(Eps, nameof(Eps), Name);
        Arguments.NonNegative(WeightDecay, nameof(WeightDecay), Name);
        Arguments.NonNegative(MomentumFactor, nameof(MomentumFactor), Name);
    }

    private protected override SolveResult Solve(IGradientProblem problem, double[] x, Box box, IterationMonitor monitor) =>
        FirstOrderLoop.Run(new RmspropRule(x.Length, Alpha, Eps, WeightDecay, MomentumFactor, Centered), LearningRate, problem, x, box, monitor);
}

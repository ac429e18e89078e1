using System;
using System.Numerics.Tensors;

namespace OptDsl.Runtime;

/// <summary>
/// Adam (<c>.opt</c> name <c>adam</c>), exactly torch.optim.Adam's update: g ← ∇f(x) + λx (coupled L2);
/// m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²; with AMSGrad v_max ← max(v_max, v) replaces v below;
/// x ← x − (γ/(1 − β₁ᵗ))·m / (√v/√(1 − β₂ᵗ) + ε); then projection into the box.
/// (AMSGrad keeps the maximum of the raw second moment and bias-corrects it at the current step, as torch's
/// implementation and current documentation do.)
/// </summary>
public sealed class AdamSolver
{
    private const string Name = "adam";

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

    public SolveResult Minimize(IGradientProblem problem, ReadOnlySpan<double> start, SolveOptions? options = null, Bounds? bounds = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        AdamRule.Validate(Name, LearningRate, Beta1, Beta2, Eps, WeightDecay);
        var rule = new AdamRule(problem.Dimension, LearningRate, Beta1, Beta2, Eps, WeightDecay, Amsgrad, decoupled: false);
        return FirstOrderLoop.Run(Name, rule, problem, start, options, bounds);
    }
}

/// <summary>
/// AdamW (<c>.opt</c> name <c>adamw</c>), exactly torch.optim.AdamW's update: x ← x − γλx (decoupled weight decay),
/// then Adam's moment update with the plain gradient; then projection into the box.
/// </summary>
public sealed class AdamWSolver
{
    private const string Name = "adamw";

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

    public SolveResult Minimize(IGradientProblem problem, ReadOnlySpan<double> start, SolveOptions? options = null, Bounds? bounds = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        AdamRule.Validate(Name, LearningRate, Beta1, Beta2, Eps, WeightDecay);
        var rule = new AdamRule(problem.Dimension, LearningRate, Beta1, Beta2, Eps, WeightDecay, Amsgrad, decoupled: true);
        return FirstOrderLoop.Run(Name, rule, problem, start, options, bounds);
    }
}

/// <summary>The shared Adam/AdamW step (torch's single-tensor implementation).</summary>
internal sealed class AdamRule(int n, double lr, double beta1, double beta2, double eps, double weightDecay, bool amsgrad, bool decoupled) : FirstOrderRule
{
    private readonly double[] _m = new double[n];
    private readonly double[] _v = new double[n];
    private readonly double[] _vMax = new double[n];
    private readonly double[] _g = new double[n];
    private readonly double[] _work = new double[n];

    public static void Validate(string name, double lr, double beta1, double beta2, double eps, double weightDecay)
    {
        Internal.Arguments.Positive(lr, "LearningRate", name);
        Internal.Arguments.InUnitInterval(beta1, "Beta1", name);
        Internal.Arguments.InUnitInterval(beta2, "Beta2", name);
        Internal.Arguments.NonNegative(eps, "Eps", name);
        Internal.Arguments.NonNegative(weightDecay, "WeightDecay", name);
    }

    public override double CoupledWeightDecay => decoupled ? 0 : weightDecay;

    public override void Step(int t, Span<double> x, ReadOnlySpan<double> g)
    {
        if (decoupled)
        {
            if (weightDecay != 0) TensorPrimitives.Multiply(x, 1 - lr * weightDecay, x);
            g.CopyTo(_g);
        }
        else if (weightDecay != 0) TensorPrimitives.MultiplyAdd(x, weightDecay, g, _g);
        else g.CopyTo(_g);

        TensorPrimitives.Multiply(_m, beta1, _m);
        TensorPrimitives.MultiplyAdd(_g, 1 - beta1, _m, _m);
        TensorPrimitives.Multiply(_v, beta2, _v);
        TensorPrimitives.Multiply(_g, _g, _work);
        TensorPrimitives.MultiplyAdd(_work, 1 - beta2, _v, _v);

        double biasCorrection1 = 1 - Math.Pow(beta1, t);
        double biasCorrection2Sqrt = Math.Sqrt(1 - Math.Pow(beta2, t));
        double stepSize = lr / biasCorrection1;
        if (amsgrad)
        {
            TensorPrimitives.Max(_vMax, _v, _vMax);
            TensorPrimitives.Sqrt(_vMax, _work);
        }
        else
        {
            TensorPrimitives.Sqrt(_v, _work);
        }
        TensorPrimitives.Divide(_work, biasCorrection2Sqrt, _work);
        TensorPrimitives.Add(_work, eps, _work);
        TensorPrimitives.Divide(_m, _work, _work);
        TensorPrimitives.MultiplyAdd(_work, -stepSize, x, x);
    }
}

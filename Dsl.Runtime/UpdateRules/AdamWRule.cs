using System;

namespace OptDsl.Runtime;

/// <summary>
/// AdamW, exactly torch.optim.AdamW's update (the rule of <see cref="AdamWSolver"/>): at step t with learning rate γ,
/// x ← x − γλx (decoupled weight decay), then <see cref="AdamRule"/>'s moment update and step with the plain gradient.
/// </summary>
public sealed class AdamWRule : UpdateRule
{
    private readonly AdamKernel _kernel;

    /// <summary>A rule for <paramref name="dimension"/> variables.</summary>
    /// <param name="dimension">The number of variables.</param>
    /// <param name="beta1">β₁ in [0, 1).</param>
    /// <param name="beta2">β₂ in [0, 1).</param>
    /// <param name="eps">ε ≥ 0.</param>
    /// <param name="weightDecay">λ ≥ 0, decoupled weight decay.</param>
    /// <param name="amsgrad">Use the AMSGrad variant.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimension"/> is negative.</exception>
    /// <exception cref="ArgumentException">A coefficient is out of range.</exception>
    public AdamWRule(int dimension, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0.01, bool amsgrad = false)
        : base(dimension)
    {
        _kernel = new AdamKernel(nameof(AdamWRule), dimension, beta1, beta2, eps, weightDecay, amsgrad, decoupled: true);
        (Beta1, Beta2, Eps, WeightDecay, Amsgrad) = (beta1, beta2, eps, weightDecay, amsgrad);
    }

    /// <summary>β₁, the decay of the first moment.</summary>
    public double Beta1 { get; }

    /// <summary>β₂, the decay of the second moment.</summary>
    public double Beta2 { get; }

    /// <summary>ε.</summary>
    public double Eps { get; }

    /// <summary>λ, decoupled weight decay (not part of the stopping test: it has no objective).</summary>
    public double WeightDecay { get; }

    /// <summary>True for the AMSGrad variant.</summary>
    public bool Amsgrad { get; }

    /// <summary>m, the running average of the gradients (not bias-corrected).</summary>
    public ReadOnlySpan<double> FirstMoment => _kernel.M;

    /// <summary>v, the running average of the squared gradients (not bias-corrected).</summary>
    public ReadOnlySpan<double> SecondMoment => _kernel.V;

    /// <summary>v_max, the running maximum of v (kept only with AMSGrad; zero otherwise).</summary>
    public ReadOnlySpan<double> MaxSecondMoment => _kernel.VMax;

    private protected override void Apply(Span<double> x, ReadOnlySpan<double> gradient, double learningRate, int t) => _kernel.Step(x, gradient, learningRate, t);

    private protected override void ResetState() => _kernel.Reset();
}

using System;

namespace OptDsl.Runtime;

/// <summary>
/// What <see cref="AdamRule"/> and <see cref="AdamWRule"/> share: the moment estimates m and v (and AMSGrad's v_max), their
/// decay rates and ε, and the bias-corrected step. They differ only in how the weight decay λ enters.
/// </summary>
public abstract class AdaptiveMomentRule : UpdateRule
{
    private readonly AdamKernel _kernel;

    private protected AdaptiveMomentRule(string rule, int dimension, double beta1, double beta2, double eps, double weightDecay, bool amsgrad, bool decoupled)
        : base(dimension)
    {
        _kernel = new AdamKernel(rule, dimension, beta1, beta2, eps, weightDecay, amsgrad, decoupled);
        (Beta1, Beta2, Eps, WeightDecay, Amsgrad) = (beta1, beta2, eps, weightDecay, amsgrad);
    }

    /// <summary>β₁, the decay of the first moment.</summary>
    public double Beta1 { get; }

    /// <summary>β₂, the decay of the second moment.</summary>
    public double Beta2 { get; }

    /// <summary>ε.</summary>
    public double Eps { get; }

    /// <summary>λ, the weight decay: coupled L2 added to the gradient for Adam; decoupled (x ← x − γλx) for AdamW, where it has no objective and so is not part of the stopping test.</summary>
    public double WeightDecay { get; }

    /// <summary>True for the AMSGrad variant.</summary>
    public bool Amsgrad { get; }

    /// <summary>m, the running average of the gradients (not bias-corrected).</summary>
    public ReadOnlySpan<double> FirstMoment => _kernel.M;

    /// <summary>v, the running average of the squared gradients (not bias-corrected).</summary>
    public ReadOnlySpan<double> SecondMoment => _kernel.V;

    /// <summary>v_max, the running maximum of v (kept only with AMSGrad; zero otherwise).</summary>
    public ReadOnlySpan<double> MaxSecondMoment => _kernel.VMax;

    private protected sealed override void Apply(Span<double> x, ReadOnlySpan<double> gradient, double learningRate, int t, ReadOnlySpan<double> lower, ReadOnlySpan<double> upper) =>
        _kernel.Step(x, gradient, learningRate, t, lower, upper);

    private protected sealed override void ResetState() => _kernel.Reset();
}

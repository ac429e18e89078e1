using System;

namespace OptDsl.Runtime;

/// <summary>
/// Adam, exactly torch.optim.Adam's update (the rule of <see cref="AdamSolver"/>). At step t with learning rate γ:
/// g ← ∇f(x) + λx (coupled L2); m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²; with AMSGrad v_max ← max(v_max, v) replaces v
/// below; x ← x − (γ/(1 − β₁ᵗ))·m / (√v/√(1 − β₂ᵗ) + ε). (AMSGrad keeps the maximum of the raw second moment and
/// bias-corrects it at the current step, as torch's implementation and current documentation do.)
/// <see cref="AdamWRule"/> is the same rule with decoupled weight decay.
/// </summary>
public sealed class AdamRule : AdaptiveMomentRule
{
    /// <summary>A rule for <paramref name="dimension"/> variables.</summary>
    /// <param name="dimension">The number of variables.</param>
    /// <param name="beta1">β₁ in [0, 1).</param>
    /// <param name="beta2">β₂ in [0, 1).</param>
    /// <param name="eps">ε ≥ 0.</param>
    /// <param name="weightDecay">λ ≥ 0, coupled L2 weight decay added to the gradient.</param>
    /// <param name="amsgrad">Use the AMSGrad variant.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimension"/> is negative.</exception>
    /// <exception cref="ArgumentException">A coefficient is out of range.</exception>
    public AdamRule(int dimension, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0, bool amsgrad = false)
        : base(nameof(AdamRule), dimension, beta1, beta2, eps, weightDecay, amsgrad, decoupled: false)
    {
    }

    internal override double CoupledWeightDecay => WeightDecay;
}

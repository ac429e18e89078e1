using System;

namespace OptDsl.Runtime;

/// <summary>
/// AdamW, exactly torch.optim.AdamW's update (the rule of <see cref="AdamWSolver"/>): at step t with learning rate γ,
/// x ← x − γλx (decoupled weight decay), then <see cref="AdamRule"/>'s moment update and step with the plain gradient.
/// </summary>
public sealed class AdamWRule : AdaptiveMomentRule
{
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
        : base(nameof(AdamWRule), dimension, beta1, beta2, eps, weightDecay, amsgrad, decoupled: true)
    {
    }
}

using System;
using OptDsl.Runtime.Internal;
using static OptDsl.Runtime.UpdateKernels;

namespace OptDsl.Runtime;

/// <summary>
/// Heavy-ball or Nesterov momentum, exactly torch.optim.SGD's update (the rule of <see cref="MomentumSolver"/>). At step t with
/// learning rate γ: g ← ∇f(x) + λx; b ← g when t = 1, else b ← μb + (1 − τ)g; then g ← g + μb (Nesterov) or g ← b;
/// x ← x − γg.
/// </summary>
public sealed class MomentumRule : UpdateRule
{
    private readonly double[] _buffer;

    /// <summary>A rule for <paramref name="dimension"/> variables.</summary>
    /// <param name="dimension">The number of variables.</param>
    /// <param name="momentum">μ ≥ 0 (0: plain gradient steps, with weight decay if λ &gt; 0).</param>
    /// <param name="dampening">τ ≥ 0.</param>
    /// <param name="weightDecay">λ ≥ 0, coupled L2 weight decay.</param>
    /// <param name="nesterov">Nesterov momentum (needs μ &gt; 0 and τ = 0, as torch.optim.SGD).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimension"/> is negative.</exception>
    /// <exception cref="ArgumentException">A coefficient is out of range.</exception>
    public MomentumRule(int dimension, double momentum = 0.9, double dampening = 0, double weightDecay = 0, bool nesterov = false)
        : base(dimension)
    {
        string name = nameof(MomentumRule);
        Arguments.NonNegative(momentum, nameof(momentum), name);
        Arguments.NonNegative(dampening, nameof(dampening), name);
        Arguments.NonNegative(weightDecay, nameof(weightDecay), name);
        if (nesterov && (momentum <= 0 || dampening != 0))
            throw new ArgumentException($"{name}: Nesterov momentum requires momentum > 0 and dampening = 0 (as torch.optim.SGD).", nameof(nesterov));
        Momentum = momentum;
        Dampening = dampening;
        WeightDecay = weightDecay;
        Nesterov = nesterov;
        _buffer = new double[dimension];
    }

    /// <summary>μ.</summary>
    public double Momentum { get; }

    /// <summary>τ.</summary>
    public double Dampening { get; }

    /// <summary>λ, coupled L2 weight decay.</summary>
    public double WeightDecay { get; }

    /// <summary>True for Nesterov momentum.</summary>
    public bool Nesterov { get; }

    /// <summary>The momentum buffer b (zero before the first step, and unused when μ = 0).</summary>
    public ReadOnlySpan<double> MomentumBuffer => _buffer;

    internal override double CoupledWeightDecay => WeightDecay;

    private protected override void Apply(Span<double> x, ReadOnlySpan<double> gradient, double learningRate, int t, ReadOnlySpan<double> lower, ReadOnlySpan<double> upper)
    {
        bool decay = WeightDecay != 0, box = !lower.IsEmpty;
        if (Momentum == 0)
        {
            switch (decay, box)
            {
                case (false, false): Sgd<No, No>(x, gradient, lower, upper, WeightDecay, learningRate); break;
                case (false, true): Sgd<No, Yes>(x, gradient, lower, upper, WeightDecay, learningRate); break;
                case (true, false): Sgd<Yes, No>(x, gradient, lower, upper, WeightDecay, learningRate); break;
                case (true, true): Sgd<Yes, Yes>(x, gradient, lower, upper, WeightDecay, learningRate); break;
            }
            return;
        }
        Span<double> b = _buffer;
        double mu = Momentum, tau = Dampening, lr = learningRate, wd = WeightDecay;
        switch (decay, t == 1, Nesterov, box)
        {
            case (false, false, false, false): UpdateKernels.Momentum<No, No, No, No>(x, gradient, b, lower, upper, wd, mu, tau, lr); break;
            case (false, false, false, true): UpdateKernels.Momentum<No, No, No, Yes>(x, gradient, b, lower, upper, wd, mu, tau, lr); break;
            case (false, false, true, false): UpdateKernels.Momentum<No, No, Yes, No>(x, gradient, b, lower, upper, wd, mu, tau, lr); break;
            case (false, false, true, true): UpdateKernels.Momentum<No, No, Yes, Yes>(x, gradient, b, lower, upper, wd, mu, tau, lr); break;
            case (false, true, false, false): UpdateKernels.Momentum<No, Yes, No, No>(x, gradient, b, lower, upper, wd, mu, tau, lr); break;
            case (false, true, false, true): UpdateKernels.Momentum<No, Yes, No, Yes>(x, gradient, b, lower, upper, wd, mu, tau, lr); break;
            case (false, true, true, false): UpdateKernels.Momentum<No, Yes, Yes, No>(x, gradient, b, lower, upper, wd, mu, tau, lr); break;
            case (false, true, true, true): UpdateKernels.Momentum<No, Yes, Yes, Yes>(x, gradient, b, lower, upper, wd, mu, tau, lr); break;
            case (true, false, false, false): UpdateKernels.Momentum<Yes, No, No, No>(x, gradient, b, lower, upper, wd, mu, tau, lr); break;
            case (true, false, false, true): UpdateKernels.Momentum<Yes, No, No, Yes>(x, gradient, b, lower, upper, wd, mu, tau, lr); break;
            case (true, false, true, false): UpdateKernels.Momentum<Yes, No, Yes, No>(x, gradient, b, lower, upper, wd, mu, tau, lr); break;
            case (true, false, true, true): UpdateKernels.Momentum<Yes, No, Yes, Yes>(x, gradient, b, lower, upper, wd, mu, tau, lr); break;
            case (true, true, false, false): UpdateKernels.Momentum<Yes, Yes, No, No>(x, gradient, b, lower, upper, wd, mu, tau, lr); break;
            case (true, true, false, true): UpdateKernels.Momentum<Yes, Yes, No, Yes>(x, gradient, b, lower, upper, wd, mu, tau, lr); break;
            case (true, true, true, false): UpdateKernels.Momentum<Yes, Yes, Yes, No>(x, gradient, b, lower, upper, wd, mu, tau, lr); break;
            case (true, true, true, true): UpdateKernels.Momentum<Yes, Yes, Yes, Yes>(x, gradient, b, lower, upper, wd, mu, tau, lr); break;
        }
    }

    private protected override void ResetState() => Array.Clear(_buffer);
}

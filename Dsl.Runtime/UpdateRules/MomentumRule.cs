using System;
using System.Numerics.Tensors;
using OptDsl.Runtime.Internal;

namespace OptDsl.Runtime;

/// <summary>
/// Heavy-ball or Nesterov momentum, exactly torch.optim.SGD's update (the rule of <see cref="MomentumSolver"/>). At step t with
/// learning rate γ: g ← ∇f(x) + λx; b ← g when t = 1, else b ← μb + (1 − τ)g; then g ← g + μb (Nesterov) or g ← b;
/// x ← x − γg.
/// </summary>
public sealed class MomentumRule : UpdateRule
{
    private readonly double[] _buffer;
    private readonly double[] _direction;

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
        _direction = new double[dimension];
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

    private protected override void Apply(Span<double> x, ReadOnlySpan<double> gradient, double learningRate, int t)
    {
        Span<double> d = _direction;
        if (WeightDecay != 0) TensorPrimitives.MultiplyAdd(x, WeightDecay, gradient, d);
        else gradient.CopyTo(d);
        if (Momentum != 0)
        {
            if (t == 1) d.CopyTo(_buffer);
            else
            {
                TensorPrimitives.Multiply(_buffer, Momentum, _buffer);
                TensorPrimitives.MultiplyAdd(d, 1 - Dampening, _buffer, _buffer);
            }
            if (Nesterov) TensorPrimitives.MultiplyAdd(_buffer, Momentum, d, d);
            else _buffer.CopyTo(d);
        }
        TensorPrimitives.MultiplyAdd(d, -learningRate, x, x);
    }

    private protected override void ResetState() => Array.Clear(_buffer);
}

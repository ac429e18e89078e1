using System;
using OptDsl.Runtime.Internal;
using static OptDsl.Runtime.UpdateKernels;

namespace OptDsl.Runtime;

/// <summary>
/// Adagrad, exactly torch.optim.Adagrad's update (the rule of <see cref="AdagradSolver"/>). At step t with learning rate γ:
/// g ← ∇f(x) + λx; γ̃ = γ / (1 + (t − 1)η); s ← s + g²; x ← x − γ̃·g / (√s + ε).
/// </summary>
public sealed class AdagradRule : UpdateRule
{
    private readonly double[] _sum;

    /// <summary>A rule for <paramref name="dimension"/> variables.</summary>
    /// <param name="dimension">The number of variables.</param>
    /// <param name="lrDecay">η ≥ 0, the learning-rate decay.</param>
    /// <param name="weightDecay">λ ≥ 0, coupled L2 weight decay.</param>
    /// <param name="initialAccumulatorValue">The initial value ≥ 0 of every entry of s.</param>
    /// <param name="eps">ε ≥ 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimension"/> is negative.</exception>
    /// <exception cref="ArgumentException">A coefficient is out of range.</exception>
    public AdagradRule(int dimension, double lrDecay = 0, double weightDecay = 0, double initialAccumulatorValue = 0, double eps = 1e-10)
        : base(dimension)
    {
        string name = nameof(AdagradRule);
        Arguments.NonNegative(lrDecay, nameof(lrDecay), name);
        Arguments.NonNegative(weightDecay, nameof(weightDecay), name);
        Arguments.NonNegative(initialAccumulatorValue, nameof(initialAccumulatorValue), name);
        Arguments.NonNegative(eps, nameof(eps), name);
        LrDecay = lrDecay;
        WeightDecay = weightDecay;
        InitialAccumulatorValue = initialAccumulatorValue;
        Eps = eps;
        _sum = new double[dimension];
        Array.Fill(_sum, initialAccumulatorValue);
    }

    /// <summary>η, the learning-rate decay.</summary>
    public double LrDecay { get; }

    /// <summary>λ, coupled L2 weight decay.</summary>
    public double WeightDecay { get; }

    /// <summary>The initial value of every entry of s.</summary>
    public double InitialAccumulatorValue { get; }

    /// <summary>ε.</summary>
    public double Eps { get; }

    /// <summary>s, the running sum of the squared (weight-decayed) gradients.</summary>
    public ReadOnlySpan<double> SquaredGradientSum => _sum;

    internal override double CoupledWeightDecay => WeightDecay;

    private protected override void Apply(Span<double> x, ReadOnlySpan<double> gradient, double learningRate, int t, ReadOnlySpan<double> lower, ReadOnlySpan<double> upper)
    {
        double clr = learningRate / (1 + (t - 1) * LrDecay);
        switch (WeightDecay != 0, !lower.IsEmpty)
        {
            case (false, false): Adagrad<No, No>(x, gradient, _sum, lower, upper, WeightDecay, Eps, clr); break;
            case (false, true): Adagrad<No, Yes>(x, gradient, _sum, lower, upper, WeightDecay, Eps, clr); break;
            case (true, false): Adagrad<Yes, No>(x, gradient, _sum, lower, upper, WeightDecay, Eps, clr); break;
            case (true, true): Adagrad<Yes, Yes>(x, gradient, _sum, lower, upper, WeightDecay, Eps, clr); break;
        }
    }

    private protected override void ResetState() => Array.Fill(_sum, InitialAccumulatorValue);
}

using System;
using System.Numerics.Tensors;
using OptDsl.Runtime.Internal;

namespace OptDsl.Runtime;

/// <summary>
/// RMSprop, exactly torch.optim.RMSprop's update (the rule of <see cref="RmspropSolver"/>). At step t with learning rate γ:
/// g ← ∇f(x) + λx; v ← αv + (1 − α)g²; centered: ḡ ← αḡ + (1 − α)g and ṽ = v − ḡ², else ṽ = v;
/// with momentum μ &gt; 0: b ← μb + g/(√ṽ + ε), x ← x − γb; else x ← x − γg/(√ṽ + ε).
/// </summary>
public sealed class RmspropRule : UpdateRule
{
    private readonly double[] _squareAverage, _gradientAverage, _buffer, _g, _work;

    /// <summary>A rule for <paramref name="dimension"/> variables.</summary>
    /// <param name="dimension">The number of variables.</param>
    /// <param name="alpha">α in [0, 1), the smoothing constant.</param>
    /// <param name="eps">ε ≥ 0.</param>
    /// <param name="weightDecay">λ ≥ 0, coupled L2 weight decay.</param>
    /// <param name="momentum">μ ≥ 0.</param>
    /// <param name="centered">Normalize by the estimated variance v − ḡ² instead of the second moment v.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimension"/> is negative.</exception>
    /// <exception cref="ArgumentException">A coefficient is out of range.</exception>
    public RmspropRule(int dimension, double alpha = 0.99, double eps = 1e-8, double weightDecay = 0, double momentum = 0, bool centered = false)
        : base(dimension)
    {
        string name = nameof(RmspropRule);
        Arguments.InUnitInterval(alpha, nameof(alpha), name);
        Arguments.NonNegative(eps, nameof(eps), name);
        Arguments.NonNegative(weightDecay, nameof(weightDecay), name);
        Arguments.NonNegative(momentum, nameof(momentum), name);
        Alpha = alpha;
        Eps = eps;
        WeightDecay = weightDecay;
        Momentum = momentum;
        Centered = centered;
        _squareAverage = new double[dimension];
        _gradientAverage = new double[dimension];
        _buffer = new double[dimension];
        _g = new double[dimension];
        _work = new double[dimension];
    }

    /// <summary>α, the smoothing constant.</summary>
    public double Alpha { get; }

    /// <summary>ε.</summary>
    public double Eps { get; }

    /// <summary>λ, coupled L2 weight decay.</summary>
    public double WeightDecay { get; }

    /// <summary>μ.</summary>
    public double Momentum { get; }

    /// <summary>True when the rule normalizes by the estimated variance.</summary>
    public bool Centered { get; }

    /// <summary>v, the running average of the squared gradients.</summary>
    public ReadOnlySpan<double> SquareAverage => _squareAverage;

    /// <summary>ḡ, the running average of the gradients (kept only when <see cref="Centered"/>; zero otherwise).</summary>
    public ReadOnlySpan<double> GradientAverage => _gradientAverage;

    /// <summary>b, the momentum buffer (zero when μ = 0).</summary>
    public ReadOnlySpan<double> MomentumBuffer => _buffer;

    internal override double CoupledWeightDecay => WeightDecay;

    private protected override void Apply(Span<double> x, ReadOnlySpan<double> gradient, double learningRate, int t)
    {
        if (WeightDecay != 0) TensorPrimitives.MultiplyAdd(x, WeightDecay, gradient, _g);
        else gradient.CopyTo(_g);
        // v ← αv + (1 − α)g²
        TensorPrimitives.Multiply(_squareAverage, Alpha, _squareAverage);
        TensorPrimitives.Multiply(_g, _g, _work);
        TensorPrimitives.MultiplyAdd(_work, 1 - Alpha, _squareAverage, _squareAverage);
        if (Centered)
        {
            TensorPrimitives.Multiply(_gradientAverage, Alpha, _gradientAverage);
            TensorPrimitives.MultiplyAdd(_g, 1 - Alpha, _gradientAverage, _gradientAverage);
            TensorPrimitives.Multiply(_gradientAverage, _gradientAverage, _work);
            TensorPrimitives.Subtract(_squareAverage, _work, _work);
            TensorPrimitives.Sqrt(_work, _work);
        }
        else
        {
            TensorPrimitives.Sqrt(_squareAverage, _work);
        }
        TensorPrimitives.Add(_work, Eps, _work);
        TensorPrimitives.Divide(_g, _work, _work); // g / (√ṽ + ε)
        if (Momentum > 0)
        {
            TensorPrimitives.Multiply(_buffer, Momentum, _buffer);
            TensorPrimitives.Add(_buffer, _work, _buffer);
            TensorPrimitives.MultiplyAdd(_buffer, -learningRate, x, x);
        }
        else
        {
            TensorPrimitives.MultiplyAdd(_work, -learningRate, x, x);
        }
    }

    private protected override void ResetState()
    {
        Array.Clear(_squareAverage);
        Array.Clear(_gradientAverage);
        Array.Clear(_buffer);
    }
}

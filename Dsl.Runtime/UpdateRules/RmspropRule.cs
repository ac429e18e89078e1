using System;
using OptDsl.Runtime.Internal;
using static OptDsl.Runtime.UpdateKernels;

namespace OptDsl.Runtime;

/// <summary>
/// RMSprop, exactly torch.optim.RMSprop's update (the rule of <see cref="RmspropSolver"/>). At step t with learning rate γ:
/// g ← ∇f(x) + λx; v ← αv + (1 − α)g²; centered: ḡ ← αḡ + (1 − α)g and ṽ = v − ḡ², else ṽ = v;
/// with momentum μ &gt; 0: b ← μb + g/(√ṽ + ε), x ← x − γb; else x ← x − γg/(√ṽ + ε).
/// </summary>
public sealed class RmspropRule : UpdateRule
{
    private readonly double[] _squareAverage, _gradientAverage, _buffer;

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

    private protected override void Apply(Span<double> x, ReadOnlySpan<double> gradient, double learningRate, int t, ReadOnlySpan<double> lower, ReadOnlySpan<double> upper)
    {
        Span<double> v = _squareAverage, a = _gradientAverage, bf = _buffer;
        double wd = WeightDecay, alpha = Alpha, eps = Eps, mu = Momentum, lr = learningRate;
        switch (wd != 0, Centered, mu > 0, !lower.IsEmpty)
        {
            case (false, false, false, false): Rmsprop<No, No, No, No>(x, gradient, v, a, bf, lower, upper, wd, alpha, eps, mu, lr); break;
            case (false, false, false, true): Rmsprop<No, No, No, Yes>(x, gradient, v, a, bf, lower, upper, wd, alpha, eps, mu, lr); break;
            case (false, false, true, false): Rmsprop<No, No, Yes, No>(x, gradient, v, a, bf, lower, upper, wd, alpha, eps, mu, lr); break;
            case (false, false, true, true): Rmsprop<No, No, Yes, Yes>(x, gradient, v, a, bf, lower, upper, wd, alpha, eps, mu, lr); break;
            case (false, true, false, false): Rmsprop<No, Yes, No, No>(x, gradient, v, a, bf, lower, upper, wd, alpha, eps, mu, lr); break;
            case (false, true, false, true): Rmsprop<No, Yes, No, Yes>(x, gradient, v, a, bf, lower, upper, wd, alpha, eps, mu, lr); break;
            case (false, true, true, false): Rmsprop<No, Yes, Yes, No>(x, gradient, v, a, bf, lower, upper, wd, alpha, eps, mu, lr); break;
            case (false, true, true, true): Rmsprop<No, Yes, Yes, Yes>(x, gradient, v, a, bf, lower, upper, wd, alpha, eps, mu, lr); break;
            case (true, false, false, false): Rmsprop<Yes, No, No, No>(x, gradient, v, a, bf, lower, upper, wd, alpha, eps, mu, lr); break;
            case (true, false, false, true): Rmsprop<Yes, No, No, Yes>(x, gradient, v, a, bf, lower, upper, wd, alpha, eps, mu, lr); break;
            case (true, false, true, false): Rmsprop<Yes, No, Yes, No>(x, gradient, v, a, bf, lower, upper, wd, alpha, eps, mu, lr); break;
            case (true, false, true, true): Rmsprop<Yes, No, Yes, Yes>(x, gradient, v, a, bf, lower, upper, wd, alpha, eps, mu, lr); break;
            case (true, true, false, false): Rmsprop<Yes, Yes, No, No>(x, gradient, v, a, bf, lower, upper, wd, alpha, eps, mu, lr); break;
            case (true, true, false, true): Rmsprop<Yes, Yes, No, Yes>(x, gradient, v, a, bf, lower, upper, wd, alpha, eps, mu, lr); break;
            case (true, true, true, false): Rmsprop<Yes, Yes, Yes, No>(x, gradient, v, a, bf, lower, upper, wd, alpha, eps, mu, lr); break;
            case (true, true, true, true): Rmsprop<Yes, Yes, Yes, Yes>(x, gradient, v, a, bf, lower, upper, wd, alpha, eps, mu, lr); break;
        }
    }

    private protected override void ResetState()
    {
        Array.Clear(_squareAverage);
        Array.Clear(_gradientAverage);
        Array.Clear(_buffer);
    }
}

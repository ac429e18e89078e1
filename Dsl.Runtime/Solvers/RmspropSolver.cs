using System;
using System.Numerics.Tensors;

namespace OptDsl.Runtime;

/// <summary>
/// RMSprop (<c>.opt</c> name <c>rmsprop</c>), exactly torch.optim.RMSprop's update: g ← ∇f(x) + λx;
/// v ← αv + (1 − α)g²; centered: ḡ ← αḡ + (1 − α)g and ṽ = v − ḡ², else ṽ = v;
/// with momentum μ &gt; 0: b ← μb + g/(√ṽ + ε), x ← x − γb; else x ← x − γg/(√ṽ + ε); then projection into the box.
/// </summary>
public sealed class RmspropSolver
{
    private const string Name = "rmsprop";

    /// <summary>γ (<c>lr</c>), default 0.01.</summary>
    public double LearningRate { get; set; } = 0.01;

    /// <summary>α, the smoothing constant (<c>rho</c>), default 0.99.</summary>
    public double Alpha { get; set; } = 0.99;

    /// <summary>ε (<c>eps</c>), default 1e−8.</summary>
    public double Eps { get; set; } = 1e-8;

    /// <summary>λ, coupled L2 weight decay, default 0.</summary>
    public double WeightDecay { get; set; }

    /// <summary>μ, momentum, default 0.</summary>
    public double MomentumFactor { get; set; }

    /// <summary>Normalize by the estimated variance instead of the second moment, default false.</summary>
    public bool Centered { get; set; }

    public SolveResult Minimize(IGradientProblem problem, ReadOnlySpan<double> start, SolveOptions? options = null, Bounds? bounds = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        Internal.Arguments.Positive(LearningRate, nameof(LearningRate), Name);
        Internal.Arguments.InUnitInterval(Alpha, nameof(Alpha), Name);
        Internal.Arguments.NonNegative(Eps, nameof(Eps), Name);
        Internal.Arguments.NonNegative(WeightDecay, nameof(WeightDecay), Name);
        Internal.Arguments.NonNegative(MomentumFactor, nameof(MomentumFactor), Name);
        var rule = new Rule(problem.Dimension, this);
        return FirstOrderLoop.Run(Name, rule, problem, start, options, bounds);
    }

    private sealed class Rule(int n, RmspropSolver s) : FirstOrderRule
    {
        private readonly double[] _squareAverage = new double[n];
        private readonly double[] _gradientAverage = new double[n];
        private readonly double[] _buffer = new double[n];
        private readonly double[] _g = new double[n];
        private readonly double[] _work = new double[n];
        private readonly double _lr = s.LearningRate, _alpha = s.Alpha, _eps = s.Eps, _weightDecay = s.WeightDecay, _momentum = s.MomentumFactor;
        private readonly bool _centered = s.Centered;

        public override double CoupledWeightDecay => _weightDecay;

        public override void Step(int t, Span<double> x, ReadOnlySpan<double> g)
        {
            if (_weightDecay != 0) TensorPrimitives.MultiplyAdd(x, _weightDecay, g, _g);
            else g.CopyTo(_g);
            // v ← αv + (1 − α)g²
            TensorPrimitives.Multiply(_squareAverage, _alpha, _squareAverage);
            TensorPrimitives.Multiply(_g, _g, _work);
            TensorPrimitives.MultiplyAdd(_work, 1 - _alpha, _squareAverage, _squareAverage);
            if (_centered)
            {
                TensorPrimitives.Multiply(_gradientAverage, _alpha, _gradientAverage);
                TensorPrimitives.MultiplyAdd(_g, 1 - _alpha, _gradientAverage, _gradientAverage);
                TensorPrimitives.Multiply(_gradientAverage, _gradientAverage, _work);
                TensorPrimitives.Subtract(_squareAverage, _work, _work);
                TensorPrimitives.Sqrt(_work, _work);
            }
            else
            {
                TensorPrimitives.Sqrt(_squareAverage, _work);
            }
            TensorPrimitives.Add(_work, _eps, _work);
            TensorPrimitives.Divide(_g, _work, _work); // g / (√ṽ + ε)
            if (_momentum > 0)
            {
                TensorPrimitives.Multiply(_buffer, _momentum, _buffer);
                TensorPrimitives.Add(_buffer, _work, _buffer);
                TensorPrimitives.MultiplyAdd(_buffer, -_lr, x, x);
            }
            else
            {
                TensorPrimitives.MultiplyAdd(_work, -_lr, x, x);
            }
        }
    }
}

using System;
using System.Numerics.Tensors;

namespace OptDsl.Runtime;

/// <summary>
/// Adagrad (<c>.opt</c> name <c>adagrad</c>), exactly torch.optim.Adagrad's update: g ← ∇f(x) + λx;
/// γ̃ = γ / (1 + (t − 1)η); s ← s + g²; x ← x − γ̃·g / (√s + ε), followed by projection into the box.
/// </summary>
public sealed class AdagradSolver
{
    private const string Name = "adagrad";

    /// <summary>γ (<c>lr</c>), default 0.01.</summary>
    public double LearningRate { get; set; } = 0.01;

    /// <summary>η, learning-rate decay, default 0.</summary>
    public double LrDecay { get; set; }

    /// <summary>λ, coupled L2 weight decay, default 0.</summary>
    public double WeightDecay { get; set; }

    /// <summary>Initial value of the squared-gradient sum s, default 0.</summary>
    public double InitialAccumulatorValue { get; set; }

    /// <summary>ε (<c>eps</c>), default 1e−10.</summary>
    public double Eps { get; set; } = 1e-10;

    public SolveResult Minimize(IGradientProblem problem, ReadOnlySpan<double> start, SolveOptions? options = null, Bounds? bounds = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        Internal.Arguments.Positive(LearningRate, nameof(LearningRate), Name);
        Internal.Arguments.NonNegative(LrDecay, nameof(LrDecay), Name);
        Internal.Arguments.NonNegative(WeightDecay, nameof(WeightDecay), Name);
        Internal.Arguments.NonNegative(InitialAccumulatorValue, nameof(InitialAccumulatorValue), Name);
        Internal.Arguments.NonNegative(Eps, nameof(Eps), Name);
        var rule = new Rule(problem.Dimension, this);
        return FirstOrderLoop.Run(Name, rule, problem, start, options, bounds);
    }

    private sealed class Rule : FirstOrderRule
    {
        private readonly double[] _sum, _g, _denominator;
        private readonly double _lr, _decay, _weightDecay, _eps;

        public Rule(int n, AdagradSolver s)
        {
            _sum = new double[n];
            Array.Fill(_sum, s.InitialAccumulatorValue);
            _g = new double[n];
            _denominator = new double[n];
            (_lr, _decay, _weightDecay, _eps) = (s.LearningRate, s.LrDecay, s.WeightDecay, s.Eps);
        }

        public override double CoupledWeightDecay => _weightDecay;

        public override void Step(int t, Span<double> x, ReadOnlySpan<double> g)
        {
            if (_weightDecay != 0) TensorPrimitives.MultiplyAdd(x, _weightDecay, g, _g);
            else g.CopyTo(_g);
            double clr = _lr / (1 + (t - 1) * _decay);
            TensorPrimitives.MultiplyAdd(_g, _g, _sum, _sum);
            TensorPrimitives.Sqrt(_sum, _denominator);
            TensorPrimitives.Add(_denominator, _eps, _denominator);
            TensorPrimitives.Divide(_g, _denominator, _denominator);
            TensorPrimitives.MultiplyAdd(_denominator, -clr, x, x);
        }
    }
}

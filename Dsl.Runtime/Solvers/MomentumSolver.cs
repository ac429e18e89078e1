using System;
using System.Numerics.Tensors;

namespace OptDsl.Runtime;

/// <summary>
/// Heavy-ball and Nesterov momentum (<c>.opt</c> names <c>momentum</c>, <c>nesterov</c>), exactly torch.optim.SGD's update:
/// g ← ∇f(x) + λx; b ← g on the first step, else b ← μb + (1 − τ)g; g ← g + μb (Nesterov) or g ← b; x ← x − γg,
/// followed by projection into the box.
/// </summary>
public sealed class MomentumSolver
{
    /// <summary>γ (<c>lr</c>), default 0.01.</summary>
    public double LearningRate { get; set; } = 0.01;

    /// <summary>μ (<c>beta</c>), default 0.9.</summary>
    public double Momentum { get; set; } = 0.9;

    /// <summary>Nesterov momentum (set by <c>nesterov</c>).</summary>
    public bool Nesterov { get; set; }

    /// <summary>τ, default 0.</summary>
    public double Dampening { get; set; }

    /// <summary>λ, coupled L2 weight decay, default 0.</summary>
    public double WeightDecay { get; set; }

    private string Name => Nesterov ? "nesterov" : "momentum";

    public SolveResult Minimize(IGradientProblem problem, ReadOnlySpan<double> start, SolveOptions? options = null, Bounds? bounds = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        Internal.Arguments.Positive(LearningRate, nameof(LearningRate), Name);
        Internal.Arguments.NonNegative(Momentum, nameof(Momentum), Name);
        Internal.Arguments.NonNegative(Dampening, nameof(Dampening), Name);
        Internal.Arguments.NonNegative(WeightDecay, nameof(WeightDecay), Name);
        if (Nesterov && (Momentum <= 0 || Dampening != 0))
            throw new ArgumentException($"{Name}: Nesterov momentum requires Momentum > 0 and Dampening = 0 (as torch.optim.SGD).", nameof(Nesterov));
        var rule = new Rule(problem.Dimension, LearningRate, Momentum, Dampening, WeightDecay, Nesterov);
        return FirstOrderLoop.Run(Name, rule, problem, start, options, bounds);
    }

    private sealed class Rule(int n, double lr, double momentum, double dampening, double weightDecay, bool nesterov) : FirstOrderRule
    {
        private readonly double[] _buffer = new double[n];
        private readonly double[] _direction = new double[n];

        public override double CoupledWeightDecay => weightDecay;

        public override void Step(int t, Span<double> x, ReadOnlySpan<double> g)
        {
            Span<double> d = _direction;
            if (weightDecay != 0) TensorPrimitives.MultiplyAdd(x, weightDecay, g, d);
            else g.CopyTo(d);
            if (momentum != 0)
            {
                if (t == 1) d.CopyTo(_buffer);
                else
                {
                    TensorPrimitives.Multiply(_buffer, momentum, _buffer);
                    TensorPrimitives.MultiplyAdd(d, 1 - dampening, _buffer, _buffer);
                }
                if (nesterov) TensorPrimitives.MultiplyAdd(_buffer, momentum, d, d);
                else _buffer.CopyTo(d);
            }
            TensorPrimitives.MultiplyAdd(d, -lr, x, x);
        }
    }
}
